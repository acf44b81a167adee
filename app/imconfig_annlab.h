// annlab's Dear ImGui configuration (IMGUI_USER_CONFIG): 32-bit indices, so one draw list can hold
// the 60,000 points of the Fashion-MNIST map (WebGL2 has 32-bit element indices).
#pragma once
#define ImDrawIdx unsigned int
#define IMGUI_DISABLE_OBSOLETE_FUNCTIONS
