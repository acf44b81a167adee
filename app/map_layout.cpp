// The map's two projections (AppState::set_map_kind): the PCA map and the neighbour-preserving
// layout, computed here in steps for data that do not ship one.
#include <chrono>

#include "annlab/layout.h"
#include "app_state.h"

namespace annlab::app {

void AppState::replace_query_on_map() {
  const LabData* d = data();
  QueryState& q = inspector.query;
  if (!d || !q.set) return;
  if (q.held_out >= 0 && size_t(q.held_out) < d->queries.n) {
    q.xy[0] = d->query_xy[2 * size_t(q.held_out)];
    q.xy[1] = d->query_xy[2 * size_t(q.held_out) + 1];
  } else if (q.self_id >= 0 && size_t(q.self_id) < d->base.n) {
    q.xy[0] = d->base_xy[2 * size_t(q.self_id)];
    q.xy[1] = d->base_xy[2 * size_t(q.self_id) + 1];
  } else if (!q.clicked) {
    d->project(q.vec.data(), q.xy);
  }
}

Status AppState::set_map_kind(LabData::MapKind k) {
  LabData* d = source.data.get();
  if (!d) return Status::error("no data set is loaded");
  source.map_kind = k;
  if (k == LabData::MapKind::Pca || d->has_layout()) {
    cancel_layout();
    if (d->map_kind != k) {
      d->show_map(k);
      map.fitted_serial = 0;
      replace_query_on_map();
    }
    return Status::ok();
  }
  if (d->base.d <= 2) {
    source.map_kind = LabData::MapKind::Pca;
    return Status::error("2-D data are their own map: there is no other layout to compute");
  }
  if (d->base.n > layout_cap) {
    source.map_kind = LabData::MapKind::Pca;
    return Status::error(cat("a layout of ", d->base.n, " points is over this page's limit of ", layout_cap,
                             " (20,000 points of d = 64 take about 10 s of the page's one thread): compute it with `annlab layout --base ",
                             d->name, " --out XY.fvecs` natively, or use a smaller file"));
  }
  if (layout_pending()) return Status::ok();
  layout_xy_.clear();
  layout_data_serial_ = source.serial;
  layout_started_ = std::chrono::steady_clock::now();
  layout_task_ = layout_task(d->base_view(), LayoutParams{}, &layout_xy_);
  layout_stage = "layout: starting";
  layout_fraction = 0;
  return Status::ok();
}

void AppState::cancel_layout() {
  layout_task_ = TrainTask();
  layout_stage.clear();
  layout_fraction = 0;
}

void AppState::step_layout(double budget_ms) {
  if (!layout_pending()) return;
  if (layout_data_serial_ != source.serial || !data()) {  // the data changed under it
    cancel_layout();
    return;
  }
  const auto start = std::chrono::steady_clock::now();
  while (layout_task_.resume()) {
    layout_stage = layout_task_.step().stage;
    layout_fraction = layout_task_.step().fraction;
    if (std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() >= budget_ms) return;
  }
  const Status st = layout_task_.status();
  cancel_layout();
  if (!st.is_ok()) {
    error = cat("layout: ", st.message());
    source.map_kind = LabData::MapKind::Pca;
    return;
  }
  layout_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - layout_started_).count();
  LabData* d = source.data.get();
  d->layout_base_xy = std::move(layout_xy_);
  // Each held-out query goes where its 10 nearest base points are.
  auto placed = place_rows_on_layout(*d->exact, d->layout_base_xy, d->queries.view());
  d->layout_query_xy = placed.is_ok() ? std::move(placed).value() : std::vector<float>(d->queries.n * 2, 0.0f);
  d->show_map(LabData::MapKind::Layout);
  map.fitted_serial = 0;
  replace_query_on_map();
}

}  // namespace annlab::app
