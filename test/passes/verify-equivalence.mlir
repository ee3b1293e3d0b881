// qc-verify-equivalence runs a pipeline on the module and compares the
// outputs of the module before and after it on the same samples (compiled
// by the CPU back end, run in-process). Here: pipelines that keep the float
// outputs, so the pass succeeds with remarks. The model is a LayerNorm and
// two linear layers (L = 2 in sequence, K = 24 at most), so the derived
// tolerance is 2 * 2^-24 * sqrt(2 * 24) = 8.26e-7.
// RUN: rm -rf %t && mkdir -p %t/s0 %t/s1

// canonicalize changes nothing the back end compiles: bit for bit equal.
// RUN: qc-opt %s -qc-verify-equivalence="pipeline=canonicalize synthetic=2" -o /dev/null 2>&1 | FileCheck %s --check-prefix=CANON
// CANON: remark: qc-verify-equivalence: 2 samples, tolerance 8.26e-07 = 2 * 2^-24 * sqrt(L * K), L = 2 contractions on the longest path, K = 24 the longest reduction
// CANON: remark: qc-verify-equivalence: output 0 'y': max relative error 0, mean relative error 0

// Folding the bias add into the layer reassociates it (the sum starts from
// the bias): the outputs move by rounding, well within the tolerance, and
// the result is the rewritten module.
// RUN: qc-opt %s -qc-verify-equivalence="pipeline=func.func(qc-fold-linear-bias) synthetic=2" -o %t/folded.mlir 2>&1 | FileCheck %s --check-prefix=FOLD
// RUN: FileCheck %s --check-prefix=FOLDED < %t/folded.mlir
// FOLD: remark: qc-verify-equivalence: output 0 'y': max relative error {{[0-9.]+}}e-0{{[789]}}, mean relative error {{[0-9.]+}}e-0{{[789]}}
// FOLDED: qc.linear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x?x16xf32>, tensor<24x16xf32>, tensor<24xf32>) -> tensor<?x?x24xf32>
// FOLDED-NOT: linalg.generic

// Calibration inside the pipeline (text in builtin.module(...) form): it
// only adds statistics. An empty pipeline checks the back end against
// itself.
// RUN: qc-opt %s -qc-verify-equivalence="pipeline=builtin.module(qc-calibrate{synthetic=2}) synthetic=2" -o %t/calibrated.mlir 2>&1 | FileCheck %s --check-prefix=CANON
// RUN: FileCheck %s --check-prefix=STATS < %t/calibrated.mlir
// STATS: qc.linear {{.*}}input_stats = #qc.stats<samples = 2
// RUN: qc-opt %s -qc-verify-equivalence="synthetic=1" -o /dev/null 2>&1 | FileCheck %s --check-prefix=EMPTY
// EMPTY: remark: qc-verify-equivalence: 1 samples, tolerance 8.26e-07
// EMPTY: output 0 'y': max relative error 0, mean relative error 0

// Samples from a directory; with an explicit tolerance, W8A8 quantization
// (about 1% here) is accepted too.
// RUN: %python -c "import numpy as np; r = np.random.default_rng(0); [np.save('%t/s%%d/input_0.npy' %% i, r.standard_normal((1, 5, 16)).astype(np.float32)) for i in range(2)]"
// RUN: qc-opt %s -qc-verify-equivalence="pipeline=qc-apply-quant-preset{preset=w8a8},qc-quantize calib-dir=%t tolerance=0.05" -o /dev/null 2>&1 | FileCheck %s --check-prefix=TOL
// TOL: remark: qc-verify-equivalence: 2 samples, tolerance 0.05{{$}}
// TOL: remark: qc-verify-equivalence: output 0 'y': max relative error 0.00{{[0-9]+}}, mean relative error 0.00{{[0-9]+}}

// Errors: no samples, a pipeline that does not parse, a missing @main.
// RUN: not qc-opt %s -qc-verify-equivalence="pipeline=canonicalize" 2>&1 | FileCheck %s --check-prefix=NODATA
// NODATA: error: qc-verify-equivalence: needs calibration data: calib-dir=DIR or synthetic=N
// RUN: not qc-opt %s -qc-verify-equivalence="pipeline=no-such-pass synthetic=1" 2>&1 | FileCheck %s --check-prefix=PARSE
// PARSE: qc-verify-equivalence: pipeline 'no-such-pass' does not parse: {{.*}}no-such-pass
// RUN: not qc-opt %s -qc-verify-equivalence="pipeline=builtin.module(canonicalize synthetic=1" 2>&1 | FileCheck %s --check-prefix=UNBALANCED
// UNBALANCED: qc-verify-equivalence: pipeline 'builtin.module(canonicalize': unbalanced builtin.module(...)
// RUN: echo 'func.func @other() { return }' > %t/other.mlir
// RUN: not qc-opt %t/other.mlir -qc-verify-equivalence=synthetic=1 2>&1 | FileCheck %s --check-prefix=NOMAIN
// NOMAIN: error: qc-verify-equivalence: the module has no @main to run

#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#last = affine_map<(d0, d1, d2) -> (d2)>
func.func @main(%x: tensor<?x?x16xf32> {onnx.name = "x", onnx.elem_type = 1 : i64}) -> (tensor<?x?x8xf32> {onnx.name = "y", onnx.elem_type = 1 : i64}) {
  %g = arith.constant dense<[0.823833, 0.650849, 1.150934, 0.572436, 1.035882, 0.865689, 0.557999, 1.007436, 0.537496, 0.933646, 0.569855, 0.590713, 0.924519, 1.326852, 0.623802, 0.723239]> : tensor<16xf32>
  %beta = arith.constant dense<[0.050973, 0.179084, 0.030841, -0.041328, 0.190502, -0.181367, 0.143387, -0.084156, -0.142298, -0.152883, -0.076607, 0.126451, -0.127709, 0.032640, 0.055565, -0.051041]> : tensor<16xf32>
  %w1 = arith.constant dense<[[0.047744, -0.437211, -0.440399, -0.294041, 0.180400, -0.072408, -0.185853, 0.085562, -0.046816, -0.200233, 0.294379, 0.198994, -0.255903, 0.074424, 0.025197, 0.375137], [0.229445, -0.212062, 0.480175, -0.381934, -0.081877, 0.257141, -0.348015, -0.011037, -0.460793, 0.168216, 0.264571, 0.073026, 0.375478, -0.186252, 0.195295, 0.094370], [0.079895, -0.043795, 0.339968, 0.444681, -0.025902, 0.164152, -0.439331, 0.201492, 0.147129, 0.493096, 0.321925, -0.215404, -0.114209, 0.168653, -0.477437, -0.038305], [-0.331952, -0.382904, -0.441046, 0.268233, -0.370660, -0.252385, -0.109050, 0.371422, -0.419419, -0.050813, 0.049440, 0.383384, 0.319280, 0.363984, -0.221579, -0.084703], [-0.141229, 0.384193, 0.457731, -0.349079, -0.323782, -0.268043, -0.266664, -0.015037, 0.089124, -0.237253, -0.495906, -0.081053, -0.130746, 0.066341, 0.453098, 0.190494], [0.015491, 0.117593, 0.176200, -0.446007, 0.399533, 0.279969, 0.374513, 0.297873, -0.107621, -0.101021, -0.396463, 0.134290, -0.437752, -0.432652, -0.291237, -0.337697], [-0.159946, -0.447424, -0.499767, -0.348735, -0.398536, -0.136390, -0.474499, 0.374332, 0.114069, -0.351450, -0.247742, -0.152610, -0.135837, -0.377158, 0.348937, 0.493103], [-0.034011, -0.016165, -0.414115, -0.397812, -0.157364, -0.235243, 0.328855, -0.338561, -0.476904, 0.450986, 0.028257, -0.353397, 0.043172, -0.472958, 0.028109, 0.478501], [0.363325, 0.196197, -0.238885, -0.133300, -0.332958, 0.271938, 0.032592, 0.279055, -0.170335, -0.276958, 0.311511, 0.484926, 0.352629, 0.306079, 0.318333, 0.239873], [-0.273261, 0.017639, -0.144437, -0.471020, -0.472063, -0.220581, -0.240826, 0.192522, 0.456515, -0.052772, 0.437021, 0.488038, 0.455001, -0.135364, -0.279538, -0.273154], [-0.303294, -0.295627, 0.124066, 0.400308, 0.340436, -0.020527, 0.152978, 0.299644, -0.415222, 0.160586, 0.409777, 0.282303, 0.250140, -0.021967, -0.321478, 0.289135], [-0.167483, 0.300824, 0.471657, -0.104162, -0.098613, 0.446797, 0.224799, -0.329996, -0.372962, -0.348849, 0.404852, 0.306502, -0.353826, 0.326510, 0.480306, 0.157268], [-0.149592, 0.048660, -0.369016, -0.485757, 0.470890, 0.149675, 0.026581, 0.433625, -0.066191, 0.371743, 0.326155, -0.288958, -0.248165, -0.207033, -0.259461, 0.086437], [-0.240635, -0.080987, -0.368926, 0.410017, -0.146216, -0.041839, 0.083349, 0.404297, -0.079372, 0.417721, 0.001649, 0.031825, 0.023507, -0.481295, -0.059875, -0.316892], [-0.496068, 0.299170, -0.327653, -0.026507, 0.225193, 0.056476, -0.174018, 0.018349, 0.055442, 0.284272, -0.393891, 0.060296, -0.251506, -0.223083, 0.272261, 0.007714], [0.061729, 0.259993, 0.412488, -0.056752, 0.112528, 0.005553, 0.012161, 0.192731, -0.047654, 0.033285, -0.021964, 0.441501, 0.199218, 0.376535, 0.442181, -0.240408], [0.059514, 0.443267, 0.340000, -0.362866, -0.378378, -0.057882, -0.427454, -0.259361, -0.426879, 0.169472, 0.283936, 0.397026, -0.345553, 0.216120, 0.160257, -0.357021], [0.382833, 0.467545, -0.280412, 0.452504, -0.101743, -0.012739, 0.489871, 0.332445, -0.338534, -0.068478, 0.015605, -0.160884, -0.304255, -0.181474, 0.222151, -0.480517], [0.054050, -0.059542, -0.481918, -0.168502, 0.123927, 0.012262, -0.435709, 0.485083, 0.288363, 0.471696, -0.395220, -0.234436, -0.460412, 0.278997, -0.229554, -0.370444], [-0.077746, 0.411414, 0.318979, -0.241391, -0.350632, 0.419172, 0.070595, 0.200417, -0.410538, -0.442473, 0.188206, -0.074683, -0.427586, 0.438350, 0.134440, 0.301629], [-0.416257, 0.356229, -0.433377, 0.362775, -0.046226, -0.160848, 0.053064, 0.426669, -0.232140, -0.370775, 0.026915, -0.261564, -0.390549, -0.338551, -0.449620, -0.298232], [-0.188008, -0.194995, 0.259498, -0.210039, 0.000089, -0.322100, -0.152999, -0.481837, -0.249551, -0.484654, 0.233080, 0.051049, -0.310544, -0.025239, 0.434643, -0.393719], [0.318920, -0.067822, -0.004998, 0.334614, -0.106914, 0.006686, 0.187742, 0.482441, -0.157295, 0.332287, 0.206725, 0.135977, -0.095302, -0.152448, -0.445611, -0.370181], [-0.429277, 0.240889, -0.244406, -0.336753, -0.415515, 0.341269, 0.370538, 0.170543, -0.218067, -0.257787, -0.206942, -0.040547, -0.342467, -0.054175, -0.236757, 0.461787]]> : tensor<24x16xf32>
  %b1 = arith.constant dense<[0.945246, 0.094147, -0.511107, 0.931334, -0.380904, -0.286832, -0.997862, -0.236747, -0.050713, 0.005528, -0.598040, 0.009471, -0.990099, -0.471663, -0.820493, -0.200978, -0.916666, -0.955012, -0.391511, -0.534381, 0.171167, 0.058379, 0.501081, 0.315087]> : tensor<24xf32>
  %w2 = arith.constant dense<[[0.129596, 0.227454, -0.066290, -0.104319, 0.290837, -0.210322, 0.134493, 0.085932, -0.273727, 0.201174, 0.235165, 0.076399, 0.140311, 0.187331, -0.216415, 0.014254, 0.002623, 0.200963, 0.182807, 0.195845, 0.050437, 0.235698, 0.109737, 0.115996], [-0.162036, -0.281304, -0.220144, -0.083576, -0.237050, 0.201493, 0.035116, 0.076660, 0.075736, 0.108399, -0.006423, -0.298011, 0.178619, 0.148959, 0.001783, 0.021120, 0.095580, -0.260370, 0.142073, -0.148684, -0.255330, -0.140665, 0.137601, -0.176869], [0.143897, 0.285441, -0.003631, -0.070464, -0.012594, 0.110218, 0.160182, 0.070184, 0.085658, -0.253517, -0.211545, -0.147636, 0.145930, -0.117350, 0.040657, -0.292518, -0.263603, -0.138736, 0.103201, 0.115311, 0.105425, -0.125486, 0.009921, -0.021202], [-0.020197, -0.228898, 0.236198, -0.180450, 0.286875, 0.261753, -0.289497, -0.024618, 0.191939, 0.280865, -0.030329, -0.138806, -0.174098, 0.267352, -0.173575, 0.048883, -0.214956, 0.014439, 0.271644, -0.220437, 0.192130, 0.005247, 0.232117, 0.122002], [-0.161170, 0.238623, -0.008316, -0.285099, -0.297846, -0.004982, -0.029544, -0.118829, -0.215576, -0.093624, -0.110353, 0.204139, -0.298955, 0.150440, 0.203466, -0.227975, 0.255839, 0.127814, 0.240940, -0.126100, -0.076667, -0.064260, 0.299276, 0.053506], [-0.083574, -0.043168, -0.134907, -0.271039, -0.238974, 0.200806, -0.128626, 0.261354, -0.150405, -0.140563, 0.006578, -0.186091, -0.075990, 0.273699, 0.230560, 0.187177, 0.078537, 0.248054, 0.264420, 0.029537, 0.131744, -0.270314, 0.139411, -0.029484], [0.151601, 0.086694, -0.128275, -0.270614, 0.256066, -0.223613, -0.016690, -0.093802, -0.121337, 0.143420, 0.285778, -0.143899, 0.093597, -0.119498, 0.034393, -0.063379, -0.199601, -0.203006, -0.175276, 0.243576, -0.001755, -0.167985, 0.243756, 0.297885], [-0.030024, -0.216242, -0.184556, -0.245571, -0.094827, -0.245343, -0.156524, -0.144985, 0.041771, 0.232351, 0.149795, -0.052331, -0.051670, 0.014501, -0.073881, -0.097078, -0.262764, -0.133490, 0.280611, -0.224476, 0.002037, 0.077776, 0.217717, -0.170422]]> : tensor<8x24xf32>
  %n = qc.layer_norm %x, %g, %beta {epsilon = 1.0e-5 : f32} : (tensor<?x?x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x?x16xf32>
  %h = qc.linear %n, %w1 : (tensor<?x?x16xf32>, tensor<24x16xf32>) -> tensor<?x?x24xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %d0 = tensor.dim %h, %c0 : tensor<?x?x24xf32>
  %d1 = tensor.dim %h, %c1 : tensor<?x?x24xf32>
  %e = tensor.empty(%d0, %d1) : tensor<?x?x24xf32>
  %hb = linalg.generic {indexing_maps = [#id, #last, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%h, %b1 : tensor<?x?x24xf32>, tensor<24xf32>) outs(%e : tensor<?x?x24xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    linalg.yield %s : f32
  } -> tensor<?x?x24xf32>
  %y = qc.linear %hb, %w2 : (tensor<?x?x24xf32>, tensor<8x24xf32>) -> tensor<?x?x8xf32>
  return %y : tensor<?x?x8xf32>
}
