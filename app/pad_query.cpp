// The drawing pad as the query (app_state.h): the picture put in the data's space, searched live.
#include <algorithm>

#include "app_state.h"

namespace annlab::app {

namespace {
double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}
}  // namespace

void AppState::pad_search(std::vector<float> vec, bool final_stroke) {
  inspector.timed = false;
  set_query(std::move(vec), kDrawingQuery, -1, pad.pixels());
  inspector.timed = true;
  pad_latency_ms = ms_since(pad.changed_at());
  pad_time_pending_ = final_stroke;
}

Status AppState::pad_query_now(bool* later) {
  *later = false;
  const LabData* d = data();
  if (!d || !d->images())
    return Status::error("the drawing pad draws images: load Fashion-MNIST or MNIST (28 x 28 images)");
  if (size_t(d->image_h) * d->image_w != pad.pixels().size())
    return Status::error(cat("the drawing pad is 28 x 28, the images are ", d->image_h, " x ", d->image_w));
  const std::vector<float>& px = pad.pixels();
  const bool final_stroke = !pad.drawing();
  if (d->space.empty()) {  // raw pixels: the picture is the vector
    pad_status = "searching the drawing's pixels";
    pad_embed_ms = 0;
    pad_search(px, final_stroke);
    return Status::ok();
  }
  if (d->space_pca.k > 0) {  // PCA-N: (x - mean) projected on the axes
    std::vector<float> v = d->space_pca.project(VectorView::of(px.data(), 1, px.size()));
    pad_status = cat("the drawing in ", d->space_label, " (its ", v.size(), " principal axes)");
    pad_embed_ms = 0;
    pad_search(std::move(v), final_stroke);
    return Status::ok();
  }
  if (d->space_model.empty()) return Status::error(cat("the ", d->space_label, " space names no way to put a drawing in it"));
  if (pad_run_) {  // the last picture is still being embedded: this one follows it
    *later = true;
    return Status::ok();
  }
  // A learned space: the model, opened once (in steps in the page), then one run per picture.
  if (pad_model_path_ != d->space_model) {
    pad_model_.reset();
    pad_open_ = open_model_task(d->space_model, &pad_model_);
    pad_model_path_ = d->space_model;
  }
  if (pad_open_.valid()) {
    if (!resume_for_frame(pad_open_, [] { return false; }, [&](const TrainStep& s) { pad_status = s.stage; })) {
      *later = true;
      return Status::ok();
    }
    const Status st = pad_open_.status();
    pad_open_ = TrainTask();
    if (!st.is_ok()) {
      pad_model_path_.clear();  // a later drawing tries again (a fixed file)
      return st;
    }
  }
  if (pad_model_->input_dim() != px.size() || pad_model_->output_dim() != d->base.d)
    return Status::error(cat(d->space_model, ": the model maps ", pad_model_->input_dim(), " values to ",
                             pad_model_->output_dim(), "; the pad has ", px.size(), " pixels and the space ", d->base.d,
                             " dimensions"));
  pad_in_ = px;
  pad_out_.assign(d->base.d, 0.0f);
  pad_run_started_ = std::chrono::steady_clock::now();
  pad_run_final_ = final_stroke;
  pad_run_serial_ = pad.serial();
  pad_run_ = pad_model_->start(pad_in_.data(), 1, pad_out_.data());
  *later = true;  // picked up by step_pad (natively: at once, below)
  return Status::ok();
}

void AppState::step_pad() {
  const LabData* d = data();
  if (!d || !d->images()) return;
  if (pad_run_) {  // a drawing being embedded by the space's model
    const Model::Poll p = pad_model_->poll(pad_run_);
    if (!p.done) return;
    pad_run_ = 0;
    if (!p.status.is_ok()) {
      pad_status = p.status.message();
      pad_searched = pad_run_serial_;
      return;
    }
    // The runtime's own time for the picture where it says (the page), else the run's wall time.
    pad_embed_ms = p.compute_ms > 0 ? p.compute_ms : ms_since(pad_run_started_);
    pad_status = cat("the drawing embedded by ", d->space_label, "'s model (", model_runtime_name(), ")");
    std::vector<float> v(pad_out_.size());
    embedding_to_byte_space(pad_out_.data(), v.size(), v.data());
    pad_searched = pad_run_serial_;
    pad_search(std::move(v), pad_run_final_);
  }
  if (!show_pad) return;
  if (pad_time_pending_ && pad.serial() == pad_searched && inspector.query.source == kDrawingQuery) {
    pad_time_pending_ = false;
    run_search();  // the same query, now timed
    return;
  }
  if (!pad_open_.valid()) {  // (while the model opens, the last picture waits for it)
    if (pad.serial() == pad_searched) return;
    if (pad.empty()) {
      pad_searched = pad.serial();
      pad_status = "draw a filled shape on the pad";
      return;
    }
  }
  bool later = false;
  const uint64_t serial = pad.serial();
  const Status st = pad_query_now(&later);
  if (!st.is_ok()) {
    pad_status = st.message();
    pad_searched = serial;
    return;
  }
  if (!later) pad_searched = serial;
  if (pad_run_) step_pad();  // a model that answered at once
}

}  // namespace annlab::app
