// The Index panel: every control is derived from the chosen method's registry row (registry.h).
#include <cfloat>
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cmath>
#include <string>
#include <vector>

#include "draw_util.h"
#include "panels.h"

namespace annlab::app {

namespace {

float half_width() { return ImGui::GetContentRegionAvail().x * 0.5f; }

// A slider over an int64 pattern number; a number that must divide the dimension d offers only
// the divisors of d in its range.
bool arg_slider(const ArgInfo& a, int64_t* v, size_t d) {
  if (a.divides_dim && d > 0) {
    std::vector<std::string> items;
    std::vector<int64_t> values;
    int current = 0;
    for (int64_t x = std::max<int64_t>(1, a.lo); x <= std::min<int64_t>(a.hi, int64_t(d)); ++x)
      if (d % size_t(x) == 0) {
        if (x <= *v) current = int(values.size());
        values.push_back(x);
        items.push_back(std::to_string(x));
      }
    std::vector<const char*> ptrs;
    for (const std::string& it : items) ptrs.push_back(it.c_str());
    ImGui::SetNextItemWidth(half_width());
    const std::string label = cat(a.name, " (divides d = ", d, ")");
    const bool changed = ImGui::Combo(label.c_str(), &current, ptrs.data(), int(ptrs.size()));
    help_marker(std::string(a.help).c_str());
    if (!values.empty()) *v = values[size_t(current)];
    return changed;
  }
  int x = int(std::clamp<int64_t>(*v, a.ui_lo, a.ui_hi));
  ImGui::SetNextItemWidth(half_width());
  const bool changed = ImGui::SliderInt(std::string(a.name).c_str(), &x, int(a.ui_lo), int(a.ui_hi), "%d",
                                        a.log_scale ? ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp
                                                    : ImGuiSliderFlags_AlwaysClamp);
  help_marker(std::string(a.help).c_str());
  if (changed) *v = x;
  return changed;
}

// One parameter's control; `hi` bounds the slider (a pattern number such as nlist), `top_label`
// the data's largest label. Returns true when the value changed.
bool param_control(const ParamUse& u, double* v, double hi, bool seed_input) {
  if (find_param(u.name)->type == ParamType::Text) return false;  // a file: the method's default one
  const ParamInfo* p = find_param(u.name);
  const std::string label(u.name);
  bool changed = false;
  ImGui::SetNextItemWidth(half_width());
  if (p->type == ParamType::Seed || seed_input) {
    int x = int(*v);
    if (ImGui::InputInt(label.c_str(), &x)) {
      *v = std::max(0, x);
      changed = true;
    }
  } else if (p->type == ParamType::Choice) {
    std::string items;
    for (char c : p->choices) items += c == ',' ? '\0' : c;
    items += '\0';
    int x = int(*v);
    if (ImGui::Combo(label.c_str(), &x, items.c_str())) {
      *v = x;
      changed = true;
    }
  } else if (p->type == ParamType::Float) {
    float x = float(*v);
    const std::string shown = u.unset_label.empty() ? label : label + " (0: " + std::string(u.unset_label) + ")";
    if (ImGui::InputFloat(shown.c_str(), &x, 0, 0, "%.3g")) {
      *v = std::max(0.0f, x);
      changed = true;
    }
  } else {
    const int lo = int(u.ui_lo), top = int(std::max(u.ui_lo, std::min(u.ui_hi, hi)));
    int x = int(std::clamp(*v, double(lo), double(top)));
    const bool unset = *v == u.unset_value;
    const std::string fmt = unset ? std::string(u.unset_label) : "%d";
    if (ImGui::SliderInt(label.c_str(), &x, lo, top, fmt.c_str(),
                         ImGuiSliderFlags_AlwaysClamp | (u.log_scale ? ImGuiSliderFlags_Logarithmic : 0))) {
      *v = x;
      changed = true;
    }
  }
  help_marker(std::string(u.help).c_str());
  return changed;
}

}  // namespace

void draw_index_panel(AppState& s) {
  const auto rows = method_registry();
  IndexConfig& c = s.config;
  // The method list: every implemented row, always visible.
  std::vector<const char*> labels;
  std::vector<size_t> row_of;
  int current = 0;
  std::vector<std::string> names;
  for (size_t r = 0; r < rows.size(); ++r) {
    if (!rows[r].implemented) continue;
    if (r == c.method) current = int(row_of.size());
    names.emplace_back(rows[r].label);
    row_of.push_back(r);
  }
  for (const std::string& n : names) labels.push_back(n.c_str());
  ImGui::SetNextItemWidth(-1);
  // The whole list, never a scrolled part of it (the popup is as tall as its items).
  const ImVec2 at = ImGui::GetCursorScreenPos();
  s.layout.method_list_x = at.x + 40;
  s.layout.method_list_y = at.y + ImGui::GetFrameHeight() / 2;
  ImGui::SetNextWindowSizeConstraints(ImVec2(0, 0), ImVec2(FLT_MAX, FLT_MAX));
  if (ImGui::BeginCombo("##method", labels[size_t(current)], ImGuiComboFlags_HeightLargest)) {
    for (size_t i = 0; i < labels.size(); ++i)
      if (ImGui::Selectable(labels[i], int(i) == current)) c.method = row_of[i];
    s.layout.method_list_open = true;
    s.layout.method_list_hidden = ImGui::GetScrollMaxY();
    ImGui::EndCombo();
  }
  const MethodInfo& m = c.info();
  const size_t r = c.method;
  ImGui::PushTextWrapPos(0);
  ImGui::TextDisabled("%s", std::string(m.help).c_str());
  ImGui::PopTextWrapPos();

  // Build: the numbers of the pattern, then the build parameters.
  std::vector<int64_t>& args = c.args[r];
  for (size_t i = 0; i < m.args.size(); ++i) {
    const ArgInfo& a = m.args[i];
    if (a.same_as >= 0) continue;  // OPQ's second M is the first
    if (!a.zero_means.empty()) {
      bool left_out = args[i] == 0;
      if (ImGui::Checkbox(std::string(a.zero_means).c_str(), &left_out)) args[i] = left_out ? 0 : a.def;
      if (left_out) continue;
    }
    arg_slider(a, &args[i], s.source.data ? s.source.data->base.d : 0);
  }
  for (size_t i = 0; i < m.build.size(); ++i) {
    const ParamUse& u = m.build[i];
    if (u.when_arg_zero >= 0 && args[size_t(u.when_arg_zero)] != 0) continue;
    if (u.name == "seed") continue;  // last, below
    if (find_param(u.name)->type == ParamType::Text) {
      // A file (a learned method's model): empty is the method's default one, under models/.
      char buf[256];
      std::snprintf(buf, sizeof buf, "%s", c.model[r].c_str());
      ImGui::SetNextItemWidth(half_width());
      const std::string def = s.default_model_path(m, args.empty() ? 0 : args[0]);
      if (ImGui::InputTextWithHint(std::string(u.name).c_str(), def.c_str(), buf, sizeof buf)) c.model[r] = buf;
      help_marker(cat(u.help, " Empty: ", def, ". A manifest (.json) or a bare .onnx file with one float input [N, d] and one "
                      "float output [N, bits].").c_str());
      continue;
    }
    param_control(u, &c.build_vals[r][i], u.ui_hi, false);
  }

  // Search: the controls of this method; they apply to the built index when it is this method.
  const bool built_here = s.index && s.built.method == &m;
  for (size_t i = 0; i < m.search.size(); ++i) {
    const ParamUse& u = m.search[i];
    if (u.needs_labels && !(s.source.data && s.source.data->base.has_labels())) continue;
    double hi = u.ui_hi;
    // The slider stops at the built index's own number (its nlist), or the panel's before a build.
    if (u.hi_arg >= 0) hi = double(built_here ? s.built.args[size_t(u.hi_arg)] : args[size_t(u.hi_arg)]);
    if (u.needs_labels) hi = *std::max_element(s.source.data->base.labels.begin(), s.source.data->base.labels.end());
    double& v = c.search_vals[r][i];
    if (param_control(u, &v, hi, false) && built_here && s.inspector.query.set) s.run_search();
  }
  for (size_t i = 0; i < m.build.size(); ++i)
    if (m.build[i].name == "seed") param_control(m.build[i], &c.build_vals[r][i], 0, true);

  ImGui::PushTextWrapPos(0);  // the whole description, wrapped rather than clipped
  ImGui::TextDisabled("%s %s", c.spec().c_str(), c.params().c_str());
  ImGui::PopTextWrapPos();
  const bool running = s.job.running();
  ImGui::BeginDisabled(running || !s.source.data);
  if (ImGui::Button("Build", ImVec2(120, 0))) (void)s.start_build();
  ImGui::EndDisabled();
  if (s.build_changed() && !running) {
    ImGui::SameLine();
    ImGui::TextColored(ImColor(kColMethod), "changed: Build to apply");
    ImGui::PushTextWrapPos(0);
    ImGui::TextDisabled("%s", s.stale_note().c_str());
    ImGui::PopTextWrapPos();
  }
  if (running) {
    ImGui::SameLine();
    if (ImGui::Button("Cancel")) s.cancel_build();
    ImGui::ProgressBar(float(s.job.progress()), ImVec2(-1, 0), s.job.progress_text().c_str());
  }
  ImGui::Separator();
  if (s.index) {
    ImGui::TextWrapped("%s", s.index_info.c_str());
    if (ImGui::Button("Download index")) {
      if (Status st = s.save_index(); !st.is_ok()) s.error = st.message();
    }
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("An .annlab index file: drop it on the lab (or give it to the CLI) to use it without building");
    ImGui::SameLine();
    ImGui::Checkbox("with base vectors", &s.save_embeds_base);
    if (ImGui::Button("Pin for side by side")) {
      if (Status st = s.pin_index(); !st.is_ok()) s.error = st.message();
    }
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("Keep this index beside the next one you build: the map splits into one pane per index\n"
                        "(pan and zoom move all of them) and Results compares their answers and costs (up to 4).");
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("Off: the file names the data set's base vectors (n, d, SHA-256) and is small; it loads where\n"
                        "that data set is. On: the vectors are written in and the file stands alone.");
  } else {
    ImGui::TextDisabled(s.pinned.empty() ? "No index yet: press Build." : "Build the next index to compare.");
  }
  for (size_t i = 0; i < s.pinned.size(); ++i) {
    ImGui::PushID(int(i) + 1000);
    if (ImGui::SmallButton("unpin")) {
      s.unpin(i);
      ImGui::PopID();
      break;
    }
    ImGui::SameLine();
    ImGui::TextDisabled("pinned: %s", s.pinned[i].title.c_str());
    ImGui::PopID();
  }
  if (!s.file_note.empty()) {
    ImGui::PushTextWrapPos(0);
    ImGui::TextDisabled("%s", s.file_note.c_str());
    ImGui::PopTextWrapPos();
  }
  if (!s.error.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, kColMiss);
    ImGui::TextWrapped("%s", s.error.c_str());
    ImGui::PopStyleColor();
    if (ImGui::SmallButton("dismiss")) s.error.clear();
  }
}

}  // namespace annlab::app
