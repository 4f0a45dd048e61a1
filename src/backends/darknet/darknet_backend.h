// The darknet backend: Debian's libdarknet (pjreddie's Darknet, 2018) on the
// CPU, running the graph exported by eb::darknet_format::export_darknet_model.
//
//   supports: cpu, fp32, and a graph the exporter can express (otherwise
//             `unsupported("cannot express ...")`, decided before libdarknet
//             is touched: it calls exit() on input it dislikes, so it only
//             ever sees files our exporter wrote)
//   prepare:  cfg and weights to a private temporary directory (libdarknet
//             reads files), parse_network_cfg + load_weights +
//             set_batch_network(1), its console chatter silenced; libdarknet
//             itself is dlopen()ed (RTLD_LOCAL) on first use, not linked
//   set_input: copies into a buffer owned by the prepared model
//   invoke:   network_predict on that buffer
//   output:   the exporter's output layers' l.output (out_c x out_h x out_w)
//   profile:  Darknet's layer loop (forward_network's) with a timer per layer
//
// Graph rewrite: a 1x1 convolution with stride > 1 goes to Darknet as a
// 1x1 max pool with that stride + the convolution at stride 1, because
// libdarknet computes the former wrongly (see darknet_backend.cpp).
//
// Threads: this libdarknet is single-threaded unless built with OpenMP
// (detected at configure time); asking for more threads than it can use is
// `unsupported` rather than a run recorded with a thread count it never had.
// docs/backends.md ("Darknet") has the details.
#pragma once

#include <memory>

#include "backends/backend.h"

namespace eb {

std::unique_ptr<Backend> make_darknet_backend();

}  // namespace eb
