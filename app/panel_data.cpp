#include "annlab/distance.h"
#include "draw_util.h"
#include "panels.h"

namespace annlab::app {

void draw_data_panel(AppState& s) {
  int kind = int(s.source.wanted_kind);
  bool change = false;
  change |= ImGui::RadioButton("2-D blobs", &kind, int(DataKind::Blobs2D));
  help_marker("Gaussian blobs in the plane: the map shows the data itself, so you can see how a method cuts space.");
  change |= ImGui::RadioButton("Fashion-MNIST", &kind, int(DataKind::FashionMnist));
  help_marker("70,000 clothing images, 28x28 = 784 dimensions: 60,000 to search, 10,000 held-out queries. The map is a 2-D PCA projection.");
  change |= ImGui::RadioButton("MNIST", &kind, int(DataKind::Mnist));
  help_marker("10,000 handwritten digits, 784 dimensions: a seeded 9,000 / 1,000 split.");
  if (kind == int(DataKind::Blobs2D)) {
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.55f);
    ImGui::SliderInt("points", &s.source.blob_n, DataSource::kMinBlobPoints, DataSource::kMaxBlobPoints, "%d",
                     ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp);  // a typed value too
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.55f);
    ImGui::SliderInt("blobs", &s.source.blob_centers, 1, 32, "%d", ImGuiSliderFlags_AlwaysClamp);
    int seed = int(s.source.blob_seed);
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.55f);
    if (ImGui::InputInt("seed", &seed)) s.source.blob_seed = uint64_t(std::max(0, seed));
    ImGui::SameLine();
    if (ImGui::Button("Generate")) change = true;
  }
  // The space an image set is searched in: raw pixels, or one the manifest lists (CNN-64, PCA-64).
  const auto spaces = s.source.spaces_of(DataKind(kind));
  if (!spaces.empty() && s.data() && s.data()->kind == DataKind(kind)) {
    const std::string cur = s.data()->space;
    std::string cur_label = "raw pixels";
    for (const auto& [id, label] : spaces)
      if (id == cur) cur_label = label;
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.55f);
    if (ImGui::BeginCombo("space", cur_label.c_str())) {
      if (ImGui::Selectable(cat("raw pixels (", s.data()->image_h * s.data()->image_w, ")").c_str(), cur.empty()) &&
          !cur.empty()) {
        s.source.space = "raw";
        change = true;
      }
      for (const auto& [id, label] : spaces)
        if (ImGui::Selectable(label.c_str(), id == cur) && id != cur) {
          s.source.space = id;
          change = true;
        }
      ImGui::EndCombo();
    }
    help_marker("Where the vectors live. Raw pixels: 784 numbers per image. PCA-64: the 64 principal axes of the base "
                "images. CNN-64: a small convolutional network trained with a triplet loss (annlab-train embed) maps "
                "each image to 64 numbers so that images of one class lie close; it is the default because its 10 "
                "nearest images share the query's class far more often (docs/methods/learned.md). Every index is "
                "built, and every recall measured, in the chosen space; the exact answer is the exact search there.");
  }
  if (change && !s.load_pending()) s.load_data(DataKind(kind));
  if (s.data() && s.data()->images()) {
    ImGui::Checkbox("Draw a query", &s.show_pad);
    help_marker("A 28 x 28 pad (mouse, touch or pen; brush, eraser, undo): the nearest images update as you draw.");
  }
  if (s.source.data && s.source.data->kind == DataKind::User) ImGui::TextColored(ImVec4(1, 0.8f, 0.3f, 1), "Showing your file: %s", s.source.data->name.c_str());
  ImGui::TextDisabled("Drop files on the %s",
#if defined(__EMSCRIPTEN__)
                      "page"
#else
                      "window"
#endif
  );
  help_marker("Vectors: .fvecs .bvecs .ivecs .npy .csv .alds. Labels (after the vectors, to colour the map): one "
              "integer per row in the data set's row order, as .ivecs (d = 1), .npy of integers, .csv or .txt. "
              "An .annlab index file (Download index) becomes the index without a build.");
  if (!s.data_error.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, kColMiss);
    ImGui::TextWrapped("%s", s.data_error.c_str());
    ImGui::PopStyleColor();
    ImGui::PushTextWrapPos(0);
    ImGui::TextDisabled("Nothing was loaded: the data set below stays. Fix the file as the message says, or hover (?) "
                        "above for the formats the lab reads.");
    ImGui::PopTextWrapPos();
    if (ImGui::SmallButton("dismiss##data")) s.data_error.clear();
  }
  ImGui::Separator();
  ImGui::TextWrapped("%s", s.source.status.c_str());
  ImGui::TextDisabled("SIMD kernels: %s", simd_level_name(simd_level()));
}

}  // namespace annlab::app
