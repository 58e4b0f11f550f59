// RUN: qcc-opt %s --qcc-drop-signedness | FileCheck %s

// CHECK-LABEL: func.func @boundary
// CHECK-SAME: (%arg0: tensor<4xi8>) -> tensor<4xi8>
// CHECK-NEXT: %[[Z:.*]] = arith.constant dense<-56> : tensor<4xi8>
// CHECK-NEXT: %[[S:.*]] = arith.addi %arg0, %[[Z]] : tensor<4xi8>
// CHECK-NEXT: return %[[S]]
func.func @boundary(%x: tensor<4xui8>) -> tensor<4xui8> {
  %z = arith.constant dense<200> : tensor<4xui8>
  %0 = tensor.bitcast %x : tensor<4xui8> to tensor<4xi8>
  %1 = tensor.bitcast %z : tensor<4xui8> to tensor<4xi8>
  %2 = arith.addi %0, %1 : tensor<4xi8>
  %3 = tensor.bitcast %2 : tensor<4xi8> to tensor<4xui8>
  return %3 : tensor<4xui8>
}
