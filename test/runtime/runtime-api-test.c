/* Exercises libqcrt's C API on an artifact of z = x + y (x: float32[?,4],
 * y: float32[4]) and prints one line per check; runtime-api.test
 * FileChecks the lines. Written in C to keep the header C-clean. */
#include "qc/runtime.h"

#include <stdio.h>
#include <string.h>

static void report(const char *what, qc_status s) {
  printf("%s: %s%s%s\n", what, qc_status_string(s), s ? ": " : "", s ? qc_last_error() : "");
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: runtime-api-test ARTIFACT NOT_AN_ARTIFACT\n");
    return 2;
  }
  qc_model *model = NULL;
  report("load missing", qc_model_load("/nonexistent/model.so", &model));
  report("load foreign", qc_model_load(argv[2], &model));
  qc_status s = qc_model_load(argv[1], &model);
  report("load", s);
  if (s)
    return 1;

  for (size_t i = 0; i < qc_model_num_inputs(model); ++i) {
    qc_tensor_info info;
    qc_model_input_info(model, i, &info);
    printf("input %zu: %s %s rank %d dims", i, info.name, qc_element_type_name(info.type), info.rank);
    for (int d = 0; d < info.rank; ++d)
      printf(" %lld", (long long)info.dims[d]);
    printf("\n");
  }
  qc_tensor_info info;
  report("output info 5", qc_model_output_info(model, 5, &info));
  printf("find y: %lld, find nope: %lld\n", (long long)qc_model_find_input(model, "y"),
         (long long)qc_model_find_input(model, "nope"));
  report("threads 0", qc_model_set_num_threads(model, 0));
  report("threads 2", qc_model_set_num_threads(model, 2));

  float x[3][4] = {{1, 2, 3, 4}, {5, 6, 7, 8}, {9, 10, 11, 12}};
  float y[4] = {0.5f, 0.25f, -1, 100};
  qc_tensor inputs[2];
  memset(inputs, 0, sizeof inputs);
  inputs[0].type = QC_TYPE_FLOAT32;
  inputs[0].rank = 2;
  inputs[0].dims[0] = 3;
  inputs[0].dims[1] = 4;
  inputs[0].data = x;
  inputs[1].type = QC_TYPE_FLOAT32;
  inputs[1].rank = 1;
  inputs[1].dims[0] = 4;
  inputs[1].data = y;

  qc_tensor out;
  memset(&out, 0, sizeof out);
  report("run missing input", qc_model_run(model, inputs, 1, &out, 1));
  inputs[1].dims[0] = 5;
  report("run wrong shape", qc_model_run(model, inputs, 2, &out, 1));
  inputs[1].dims[0] = 4;
  inputs[1].type = QC_TYPE_INT32;
  report("run wrong type", qc_model_run(model, inputs, 2, &out, 1));
  inputs[1].type = QC_TYPE_FLOAT32;

  report("run", qc_model_run(model, inputs, 2, &out, 1));
  printf("out: rank %d dims %lld %lld size %zu:", out.rank, (long long)out.dims[0],
         (long long)out.dims[1], out.size);
  for (int i = 0; i < 12; ++i)
    printf(" %g", ((float *)out.data)[i]);
  printf("\n");
  qc_tensor_release(&out);

  float small[4];
  memset(&out, 0, sizeof out);
  out.data = small;
  out.capacity = sizeof small;
  report("run small buffer", qc_model_run(model, inputs, 2, &out, 1));
  float big[12];
  out.data = big;
  out.capacity = sizeof big;
  report("run caller buffer", qc_model_run(model, inputs, 2, &out, 1));
  printf("big[11] = %g\n", big[11]);

  /* A batch of a different size: the dynamic dim. */
  inputs[0].dims[0] = 1;
  memset(&out, 0, sizeof out);
  report("run batch 1", qc_model_run(model, inputs, 2, &out, 1));
  printf("out: dims %lld %lld first %g\n", (long long)out.dims[0], (long long)out.dims[1],
         ((float *)out.data)[0]);
  qc_tensor_release(&out);
  qc_model_free(model);
  return 0;
}
