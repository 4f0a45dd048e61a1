// Runs one ONNX backend-test case (model.onnx + test_data_set_*/{input,output}_*.pb)
// through the reference kernels WITHOUT the ONNX importer: the single node of
// the case's model is mapped by hand onto our IR (weights and shape-like
// inputs read from the case's input tensors), run with eb::ref::run_graph and
// compared with the expected outputs. This keeps the oracle's conformance
// independent of the importer. (The same cases through the importer are run
// by eb_conformance's run_case, conformance/run_case.h.)
#pragma once

#include <string>

namespace eb::ref::testing {

enum class CaseOutcome {
  pass,         // every data set matched
  fail,         // ran, but a result differs or a shape disagrees
  unsupported,  // the case needs something our IR cannot express (named in detail)
  error,        // the case could not be read, or a graph we built was rejected
};

const char* to_string(CaseOutcome o);

struct CaseResult {
  CaseOutcome outcome = CaseOutcome::error;
  std::string detail;
};

// Compares with |actual - expected| <= atol + rtol * |expected|.
CaseResult run_onnx_case(const std::string& case_dir, double rtol = 1e-4, double atol = 1e-6);

// "conv", "maxpool", ... : the op family a case name (test_<family>_...) belongs to.
std::string case_family(const std::string& case_name);

}  // namespace eb::ref::testing
