// app/draw_pad.h — the drawing pad's picture: a 28 x 28 image a person draws a query on with the
// mouse, a finger or a pen (SDL turns touches into mouse events; browsers send pen strokes as
// mouse events too), with a round soft brush or an eraser, clear and undo. Pixels are floats
// 0..255, row-major, as the bundled images are (bright object on black). No drawing here: the
// Draw window (panel_draw.cpp) shows it and feeds it strokes.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace annlab::app {

class DrawPad {
 public:
  static constexpr int kSide = 28;
  DrawPad() : pixels_(kSide * kSide, 0.0f) {}
  const std::vector<float>& pixels() const { return pixels_; }
  bool eraser = false;
  float radius = 1.5f;  // the brush's radius in pad pixels (0.5..4)
  // Increases with every change of the pixels.
  uint64_t serial() const { return serial_; }
  // When the pixels last changed (the clock of "stroke to results").
  std::chrono::steady_clock::time_point changed_at() const { return changed_at_; }
  bool drawing() const { return in_stroke_; }
  bool empty() const;
  // A stroke, in pad pixel coordinates (x right, y down; fractional, may fall outside): the pad as
  // it was before the stroke can be undone. A stroke paints (or erases) along its path.
  void begin_stroke(float x, float y);
  void stroke_to(float x, float y);
  void end_stroke();
  // Clears the pad, or sets it to an image of kSide x kSide pixels 0..255; both can be undone.
  void clear();
  void set_image(const float* image);
  bool undo();
  bool can_undo() const { return !undo_.empty(); }

 private:
  void dab(float x, float y);
  void push_undo();
  std::vector<float> pixels_;
  std::vector<std::vector<float>> undo_;  // at most kUndo pictures
  static constexpr size_t kUndo = 64;
  float lx_ = 0, ly_ = 0;
  bool in_stroke_ = false;
  uint64_t serial_ = 0;
  std::chrono::steady_clock::time_point changed_at_ = std::chrono::steady_clock::now();
  void changed() {
    ++serial_;
    changed_at_ = std::chrono::steady_clock::now();
  }
};

}  // namespace annlab::app
