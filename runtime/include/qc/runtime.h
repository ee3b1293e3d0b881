/*===- qc/runtime.h - libqcrt, the qc runtime's C API ------------*- C -*-===*
 *
 * Loads an artifact written by `qc-compile -target=cpu -o model.so`, says
 * what its inputs and outputs are, and runs it. libqcrt links neither LLVM
 * nor MLIR.
 *
 *   qc_model *model;
 *   if (qc_model_load("model.so", &model) != QC_OK) {
 *     fprintf(stderr, "%s\n", qc_last_error());
 *     return 1;
 *   }
 *   qc_tensor in = {QC_TYPE_FLOAT32, 2, {1, 384}, data, sizeof data};
 *   qc_tensor out = {0};               // data == NULL: the runtime allocates
 *   qc_status s = qc_model_run(model, &in, 1, &out, 1);
 *   ... use out.data ...
 *   qc_tensor_release(&out);
 *   qc_model_free(model);
 *
 * Every function returns QC_OK or an error code; qc_last_error() then holds
 * a one-line message for the calling thread. A model may be run from one
 * thread at a time; models loaded from the same file share the artifact's
 * run-time state, so they count as one.
 *===----------------------------------------------------------------------===*/

#ifndef QC_RUNTIME_H
#define QC_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum qc_status {
  QC_OK = 0,
  QC_ERROR_INVALID_ARGUMENT = 1, /* a NULL pointer, an index out of range */
  QC_ERROR_CANNOT_LOAD = 2,      /* the file is missing or not a shared object */
  QC_ERROR_CORRUPT_ARTIFACT = 3, /* a shared object, but not a qc artifact */
  QC_ERROR_MISSING_INPUT = 4,    /* fewer inputs than the model has */
  QC_ERROR_WRONG_TYPE = 5,       /* an input's element type differs */
  QC_ERROR_WRONG_SHAPE = 6,      /* an input's rank or a static dim differs */
  QC_ERROR_BUFFER_TOO_SMALL = 7, /* a caller's output buffer cannot hold it */
  QC_ERROR_OUT_OF_MEMORY = 8,
  QC_ERROR_INVALID_INPUT = 9,    /* the inputs' values or dims fail a check
                                    of the model (an index out of range,
                                    dims that do not broadcast) */
} qc_status;

/* Element types, numbered as ONNX's TensorProto.DataType. */
typedef enum qc_element_type {
  QC_TYPE_UNDEFINED = 0,
  QC_TYPE_FLOAT32 = 1,
  QC_TYPE_UINT8 = 2,
  QC_TYPE_INT8 = 3,
  QC_TYPE_UINT16 = 4,
  QC_TYPE_INT16 = 5,
  QC_TYPE_INT32 = 6,
  QC_TYPE_INT64 = 7,
  QC_TYPE_BOOL = 9, /* one byte per element, 0 or 1 */
  QC_TYPE_FLOAT16 = 10,
  QC_TYPE_FLOAT64 = 11,
  QC_TYPE_UINT32 = 12,
  QC_TYPE_UINT64 = 13,
  QC_TYPE_BFLOAT16 = 16,
} qc_element_type;

#define QC_MAX_RANK 8

/* A dense row-major tensor. As an input: all fields set by the caller. As
 * an output: `data` NULL lets the runtime allocate (free it with
 * qc_tensor_release); otherwise `data` holds `capacity` bytes. The runtime
 * sets type, rank, dims and size of outputs. */
typedef struct qc_tensor {
  qc_element_type type;
  int32_t rank;
  int64_t dims[QC_MAX_RANK];
  void *data;
  size_t capacity; /* bytes available at data (outputs only) */
  size_t size;     /* bytes of the result (set by the runtime, outputs) */
  void *allocation; /* set by the runtime: what qc_tensor_release frees */
} qc_tensor;

/* What the model expects or produces; dims[i] == -1 is a dynamic dim. The
 * strings and arrays live as long as the model. */
typedef struct qc_tensor_info {
  const char *name;
  qc_element_type type;
  int32_t rank;
  const int64_t *dims;
} qc_tensor_info;

typedef struct qc_model qc_model;

/* The message of the calling thread's last error ("" when none). */
const char *qc_last_error(void);
const char *qc_status_string(qc_status status);
/* Bytes per element (0 for QC_TYPE_UNDEFINED or an unknown type). */
size_t qc_element_size(qc_element_type type);
const char *qc_element_type_name(qc_element_type type);

qc_status qc_model_load(const char *path, qc_model **model);
void qc_model_free(qc_model *model);

size_t qc_model_num_inputs(const qc_model *model);
size_t qc_model_num_outputs(const qc_model *model);
qc_status qc_model_input_info(const qc_model *model, size_t index, qc_tensor_info *info);
qc_status qc_model_output_info(const qc_model *model, size_t index, qc_tensor_info *info);
/* The index of the input or output called `name`, or -1. */
int64_t qc_model_find_input(const qc_model *model, const char *name);
int64_t qc_model_find_output(const qc_model *model, const char *name);

/* Threads for this model's parallel loops (n >= 1). */
qc_status qc_model_set_num_threads(qc_model *model, int n);

/* Runs the model. `inputs` in the model's input order, all of them;
 * `outputs` receives the first `num_outputs` outputs (the others are
 * computed and dropped). When the inputs fail one of the model's run-time
 * checks, returns QC_ERROR_INVALID_INPUT, the message names the ONNX node
 * and the values, and no output is set. */
qc_status qc_model_run(qc_model *model, const qc_tensor *inputs, size_t num_inputs,
                       qc_tensor *outputs, size_t num_outputs);

/* Frees an output's data if the runtime allocated it, and clears it. */
void qc_tensor_release(qc_tensor *tensor);

#ifdef __cplusplus
}
#endif

#endif /* QC_RUNTIME_H */
