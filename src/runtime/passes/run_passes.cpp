#include "runtime/passes/passes.h"

namespace eb::rt {

PassCounts run_graph_passes(PlanGraph& graph, const PostOpFilter& accepts, bool fold, bool fuse) {
  PassCounts counts;
  if (fold) {
    counts.folded_pad = fold_pad(graph);
    counts.folded_batchnorm = fold_batchnorm(graph);
    counts.commuted_pools = commute_pool_conv(graph);
  }
  if (fuse) {
    // Activations first, so that conv -> relu -> add can still host the sum;
    // an Add that took its own activation hands it on to the host.
    counts.fused_activations = fuse_activations(graph, accepts);
    counts.fused_residual_adds = fuse_residual_add(graph, accepts);
  }
  return counts;
}

}  // namespace eb::rt
