// RUN: qcc-opt %s --qcc-native-minmax | FileCheck %s

// A quantization clamp: maxnumf/minnumf become LLVM's maxnum/minnum (one
// vmaxps/vminps each on x86 where arith-expand would leave a compare and a
// select); maximumf (NaN-propagating) and f64 are left to arith-expand.
// CHECK-LABEL: func.func @clamp
// CHECK: %[[MAX:.*]] = llvm.intr.maxnum(%arg0, %{{.*}}) : (vector<8xf32>, vector<8xf32>) -> vector<8xf32>
// CHECK: llvm.intr.minnum(%[[MAX]], %{{.*}}) : (vector<8xf32>, vector<8xf32>) -> vector<8xf32>
// CHECK: arith.maximumf
// CHECK: arith.maxnumf {{.*}} : f64
func.func @clamp(%x: vector<8xf32>, %y: vector<8xf32>, %d: f64) -> (vector<8xf32>, vector<8xf32>, f64) {
  %zero = arith.constant dense<0.0> : vector<8xf32>
  %top = arith.constant dense<255.0> : vector<8xf32>
  %lo = arith.maxnumf %x, %zero : vector<8xf32>
  %hi = arith.minnumf %lo, %top : vector<8xf32>
  %clip = arith.maximumf %y, %zero : vector<8xf32>
  %dz = arith.constant 0.0 : f64
  %dm = arith.maxnumf %d, %dz : f64
  return %hi, %clip, %dm : vector<8xf32>, vector<8xf32>, f64
}
