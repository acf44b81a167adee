#include <cstdio>

#include "annlab/distance.h"
#include "annlab/io.h"
#include "common.h"

namespace annlab::cli {

int cmd_info(const std::vector<std::string>& argv) {
  const CommandSpec spec{"info", "Describes a vector file (size, type, labels, value range) and this build.",
                         {{"file", "F", "a vector file to describe"},
                          {"labels", "L", "class labels for F: .ivecs with one value per vector, checked against F"}}};
  Args a;
  int code;
  if (!parse_or_exit(spec, argv, &a, &code)) return code;
  std::printf("build: %s\nSIMD levels: ",
#if defined(__EMSCRIPTEN__)
              "wasm"
#else
              "native"
#endif
  );
  for (SimdLevel l : supported_simd_levels()) std::printf("%s ", simd_level_name(l));
  std::printf("(active: %s)\n", simd_level_name(simd_level()));
  if (!a.has("file")) return kExitOk;
  auto ds = load_dataset(a.get("file"));
  if (!ds.is_ok()) return fail("info", ds.status());
  if (a.has("labels")) {
    auto labels = load_ivecs(a.get("labels"));
    if (!labels.is_ok()) return fail("info", labels.status());
    if (labels->d != 1)
      return fail("info", Status::error(cat(a.get("labels"), ": labels have dimension ", labels->d, ", expected 1")));
    if (Status st = ds->set_labels(labels->v); !st.is_ok()) return fail("info", st.with_context(a.get("labels")));
  }
  const VectorView v = ds->view();
  float lo = v.n ? v.at(0, 0) : 0, hi = lo;
  for (size_t i = 0; i < v.n; ++i)
    for (size_t j = 0; j < v.d; ++j) {
      lo = std::min(lo, v.at(i, j));
      hi = std::max(hi, v.at(i, j));
    }
  std::printf("%s: %zu vectors x %zu dimensions, stored as %s, values in [%g, %g]%s", a.get("file").c_str(), ds->n,
              ds->d, dtype_name(ds->dtype), double(lo), double(hi), ds->has_labels() ? ", labelled" : "");
  if (ds->image_h) std::printf(", images %ux%u", ds->image_h, ds->image_w);
  std::printf("\n");
  return kExitOk;
}

}  // namespace annlab::cli
