#include "draw_pad.h"

#include <algorithm>
#include <cmath>

namespace annlab::app {

bool DrawPad::empty() const {
  return std::all_of(pixels_.begin(), pixels_.end(), [](float v) { return v == 0.0f; });
}

void DrawPad::push_undo() {
  if (undo_.size() == kUndo) undo_.erase(undo_.begin());
  undo_.push_back(pixels_);
}

// One round dab of the brush: full inside the radius, a one-pixel soft edge, never darker (the
// brush) or lighter (the eraser) than the pixel was.
void DrawPad::dab(float x, float y) {
  const int r = int(std::ceil(radius + 1));
  bool changed = false;
  for (int py = int(std::floor(y)) - r; py <= int(std::floor(y)) + r; ++py)
    for (int px = int(std::floor(x)) - r; px <= int(std::floor(x)) + r; ++px) {
      if (px < 0 || py < 0 || px >= kSide || py >= kSide) continue;
      const float dx = float(px) + 0.5f - x, dy = float(py) + 0.5f - y;
      const float cover = std::clamp(radius + 0.5f - std::sqrt(dx * dx + dy * dy), 0.0f, 1.0f);
      if (cover <= 0) continue;
      float& v = pixels_[size_t(py) * kSide + size_t(px)];
      const float nv = eraser ? std::min(v, std::round(255.0f * (1 - cover))) : std::max(v, std::round(255.0f * cover));
      if (nv != v) {
        v = nv;
        changed = true;
      }
    }
  if (changed) this->changed();
}

void DrawPad::begin_stroke(float x, float y) {
  push_undo();
  in_stroke_ = true;
  lx_ = x;
  ly_ = y;
  dab(x, y);
}

void DrawPad::stroke_to(float x, float y) {
  if (!in_stroke_) return begin_stroke(x, y);
  const float len = std::hypot(x - lx_, y - ly_);
  const int steps = std::max(1, int(std::ceil(len / 0.25f)));
  for (int i = 1; i <= steps; ++i) dab(lx_ + (x - lx_) * float(i) / float(steps), ly_ + (y - ly_) * float(i) / float(steps));
  lx_ = x;
  ly_ = y;
}

void DrawPad::end_stroke() {
  if (!in_stroke_) return;
  in_stroke_ = false;
  changed();  // the stroke is over: its last search may be timed
}

void DrawPad::clear() {
  push_undo();
  std::fill(pixels_.begin(), pixels_.end(), 0.0f);
  changed();
}

void DrawPad::set_image(const float* image) {
  push_undo();
  for (size_t i = 0; i < pixels_.size(); ++i) pixels_[i] = std::clamp(image[i], 0.0f, 255.0f);
  changed();
}

bool DrawPad::undo() {
  if (undo_.empty()) return false;
  pixels_ = std::move(undo_.back());
  undo_.pop_back();
  in_stroke_ = false;
  changed();
  return true;
}

}  // namespace annlab::app
