// app/draw_util.h — small drawing helpers shared by the panels.
#pragma once

#include <cstdint>

#include "annlab/dataset.h"
#include "imgui.h"

namespace annlab::app {

// A colour per class label (10 distinguishable hues), with alpha.
ImU32 label_color(int label, int alpha = 255);
// Draws row i of an image data set as a size x size thumbnail at the cursor (advances it).
// `border` (0 for none) outlines it, e.g. red for a miss.
void image_thumbnail(const VectorView& v, size_t i, uint32_t h, uint32_t w, float size, ImU32 border = 0);
// The same for one vector given as floats.
void image_thumbnail(const float* pixels, uint32_t h, uint32_t w, float size, ImU32 border = 0);
// A "(?)" marker whose tooltip explains a parameter.
void help_marker(const char* text);

inline constexpr ImU32 kColMiss = IM_COL32(235, 70, 60, 255);
inline constexpr ImU32 kColHit = IM_COL32(80, 200, 120, 255);
inline constexpr ImU32 kColQuery = IM_COL32(255, 255, 255, 255);
inline constexpr ImU32 kColMethod = IM_COL32(255, 170, 40, 255);
inline constexpr ImU32 kColCandidate = IM_COL32(250, 230, 120, 255);

}  // namespace annlab::app
