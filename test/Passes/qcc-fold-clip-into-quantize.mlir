// RUN: qcc-opt %s --qcc-fold-clip-into-quantize --split-input-file | FileCheck %s

// ReLU6 then QuantizeLinear (scale 0.02, zero point 0): the Clip goes, the
// division reads x, the upper code bound min(255, roundeven(6 / 0.02)) = 255
// (unchanged); with Clip(-3, 2.5) and zero point 100 it becomes 225.
// CHECK-LABEL: func.func @relu6
// CHECK-NOT: arith.maximumf
// CHECK-NOT: arith.minimumf
// CHECK: %[[D:.*]] = arith.divf %arg0, %{{.*}} : vector<8xf32>
// CHECK: math.roundeven %[[D]]
// CHECK: arith.minnumf %{{.*}}, %{{.*}} : vector<8xf32>
func.func @relu6(%x: vector<8xf32>) -> vector<8xi8> {
  %lo = arith.constant dense<0.0> : vector<8xf32>
  %six = arith.constant dense<6.0> : vector<8xf32>
  %y = arith.constant dense<0.02> : vector<8xf32>
  %z = arith.constant dense<0.0> : vector<8xf32>
  %top = arith.constant dense<255.0> : vector<8xf32>
  %a = arith.maximumf %x, %lo : vector<8xf32>
  %c = arith.minimumf %a, %six : vector<8xf32>
  %d = arith.divf %c, %y : vector<8xf32>
  %r = math.roundeven %d : vector<8xf32>
  %q = arith.addf %r, %z : vector<8xf32>
  %m = arith.maxnumf %q, %lo : vector<8xf32>
  %n = arith.minnumf %m, %top : vector<8xf32>
  %code = arith.fptoui %n : vector<8xf32> to vector<8xi8>
  return %code : vector<8xi8>
}

// -----

// CHECK-LABEL: func.func @upper_code
// CHECK: %[[HI:.*]] = arith.constant 2.250000e+02 : f32
// CHECK: %[[D:.*]] = arith.divf %arg0
// CHECK: arith.minnumf %{{.*}}, %[[HI]] : f32
func.func @upper_code(%x: f32) -> f32 {
  %a0 = arith.constant -3.0 : f32
  %b0 = arith.constant 2.5 : f32
  %y = arith.constant 0.02 : f32
  %z = arith.constant 100.0 : f32
  %lo = arith.constant 0.0 : f32
  %top = arith.constant 255.0 : f32
  %a = arith.maximumf %x, %a0 : f32
  %c = arith.minimumf %a, %b0 : f32
  %d = arith.divf %c, %y : f32
  %r = math.roundeven %d : f32
  %q = arith.addf %r, %z : f32
  %m = arith.maxnumf %q, %lo : f32
  %n = arith.minnumf %m, %top : f32
  return %n : f32
}

// -----

// Clip(-1, 1) at scale 0.01, zero point 128: its lower bound codes to 28,
// above the code bound 0, so NaN (code 0 now, 28 after a fold) keeps the
// Clip: not folded.
// CHECK-LABEL: func.func @raised_lower
// CHECK: arith.maximumf
// CHECK: arith.minimumf
func.func @raised_lower(%x: f32) -> f32 {
  %a0 = arith.constant -1.0 : f32
  %b0 = arith.constant 1.0 : f32
  %y = arith.constant 0.01 : f32
  %z = arith.constant 128.0 : f32
  %lo = arith.constant 0.0 : f32
  %top = arith.constant 255.0 : f32
  %a = arith.maximumf %x, %a0 : f32
  %c = arith.minimumf %a, %b0 : f32
  %d = arith.divf %c, %y : f32
  %r = math.roundeven %d : f32
  %q = arith.addf %r, %z : f32
  %m = arith.maxnumf %q, %lo : f32
  %n = arith.minnumf %m, %top : f32
  return %n : f32
}

// -----

// A negative scale (division not increasing) or a quotient read elsewhere:
// not folded.
// CHECK-LABEL: func.func @negative_scale
// CHECK: arith.maximumf
// CHECK-LABEL: func.func @shared_quotient
// CHECK: arith.maximumf
func.func @negative_scale(%x: f32) -> f32 {
  %a0 = arith.constant 0.0 : f32
  %y = arith.constant -0.5 : f32
  %top = arith.constant 255.0 : f32
  %a = arith.maximumf %x, %a0 : f32
  %d = arith.divf %a, %y : f32
  %r = math.roundeven %d : f32
  %m = arith.maxnumf %r, %a0 : f32
  %n = arith.minnumf %m, %top : f32
  return %n : f32
}
func.func @shared_quotient(%x: f32) -> (f32, f32) {
  %a0 = arith.constant 0.0 : f32
  %y = arith.constant 0.5 : f32
  %top = arith.constant 255.0 : f32
  %a = arith.maximumf %x, %a0 : f32
  %d = arith.divf %a, %y : f32
  %r = math.roundeven %d : f32
  %m = arith.maxnumf %r, %a0 : f32
  %n = arith.minnumf %m, %top : f32
  return %n, %d : f32, f32
}
