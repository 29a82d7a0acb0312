// RUN: tick-opt %s --convert-nn-to-linalg --canonicalize | FileCheck %s

// An optimizer step writes the new parameter and state into the old ones'
// tensors (outs), so bufferization updates them in place.
// CHECK-LABEL: func.func @sgd(
// CHECK-SAME:    %[[P:.*]]: tensor<3x5xf32>, %[[G:.*]]: tensor<3x5xf32>, %[[B:.*]]: tensor<3x5xf32>)
// CHECK:         linalg.generic {{.*}} ins(%[[G]] : tensor<3x5xf32>) outs(%[[P]], %[[B]] : tensor<3x5xf32>, tensor<3x5xf32>)
// CHECK:           %[[DECAYED:.*]] = arith.addf %{{.*}}, %{{.*}} : f32
// CHECK:           %[[BUF:.*]] = arith.addf %{{.*}}, %[[DECAYED]] : f32
// CHECK:           %[[STEP:.*]] = arith.mulf %[[BUF]], %{{.*}} : f32
// CHECK:           %[[NEW:.*]] = arith.subf %{{.*}}, %[[STEP]] : f32
// CHECK:           linalg.yield %[[NEW]], %[[BUF]]
func.func @sgd(%p: tensor<3x5xf32>, %g: tensor<3x5xf32>, %b: tensor<3x5xf32>) -> (tensor<3x5xf32>, tensor<3x5xf32>) {
  %0:2 = nn.sgd_step %p, %g, %b lr = 0.1 momentum = 0.9 weight_decay = 0.01 : tensor<3x5xf32>
  return %0#0, %0#1 : tensor<3x5xf32>, tensor<3x5xf32>
}

// Adam's bias corrections are computed once per step, in f64 (as PyTorch
// does in Python floats), and only then rounded to f32. The second one's
// square root is inverted there too: an element's update divides once.
// CHECK-LABEL: func.func @adamw(
// CHECK-SAME:    %[[P:.*]]: tensor<7xf32>, %[[G:.*]]: tensor<7xf32>, %[[M:.*]]: tensor<7xf32>, %[[V:.*]]: tensor<7xf32>, %[[T:.*]]: tensor<f32>)
// CHECK:         %[[TF:.*]] = tensor.extract %[[T]][] : tensor<f32>
// CHECK:         %[[T64:.*]] = arith.extf %[[TF]] : f32 to f64
// CHECK:         math.powf %{{.*}}, %[[T64]] : f64
// CHECK:         math.powf %{{.*}}, %[[T64]] : f64
// CHECK:         %[[ROOT2:.*]] = math.sqrt %{{.*}} : f64
// CHECK:         %[[INV2:.*]] = arith.divf %{{.*}}, %[[ROOT2]] : f64
// CHECK:         %[[SIZE:.*]] = arith.truncf %{{.*}} : f64 to f32
// CHECK:         %[[C2:.*]] = arith.truncf %[[INV2]] : f64 to f32
// CHECK:         linalg.generic {{.*}} ins(%[[G]] : tensor<7xf32>) outs(%[[P]], %[[M]], %[[V]] : tensor<7xf32>, tensor<7xf32>, tensor<7xf32>)
// Decoupled weight decay shrinks the parameter first.
// CHECK:           arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK-NOT:       arith.divf
// CHECK:           %[[ROOT:.*]] = math.sqrt %{{.*}} : f32
// CHECK:           arith.mulf %[[ROOT]], %[[C2]] : f32
// CHECK:           arith.divf
// CHECK-NOT:       arith.divf
// CHECK:           arith.mulf {{.*}}%[[SIZE]]{{[, ]}}
func.func @adamw(%p: tensor<7xf32>, %g: tensor<7xf32>, %m: tensor<7xf32>, %v: tensor<7xf32>, %t: tensor<f32>) -> (tensor<7xf32>, tensor<7xf32>, tensor<7xf32>) {
  %0:3 = nn.adam_step %p, %g, %m, %v, %t lr = 1.0e-3 beta1 = 0.9 beta2 = 0.999 eps = 1.0e-8 weight_decay = 1.0e-2 decoupled : tensor<7xf32>, tensor<f32>
  return %0#0, %0#1, %0#2 : tensor<7xf32>, tensor<7xf32>, tensor<7xf32>
}

// The step counter counts in its own tensor.
// CHECK-LABEL: func.func @increment(
// CHECK-SAME:    %[[C:.*]]: tensor<f32>)
// CHECK:         linalg.generic {{.*}} outs(%[[C]] : tensor<f32>)
// CHECK:           arith.addf %{{.*}}, %{{.*}} : f32
func.func @increment(%c: tensor<f32>) -> tensor<f32> {
  %0 = nn.increment %c : tensor<f32>
  return %0 : tensor<f32>
}
