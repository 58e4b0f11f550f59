// RUN: qcc-opt %s --split-input-file --verify-diagnostics
// One case per qtensor/scheme/layout consistency rule.

// expected-error @+1 {{dimension 0 has size 0; a qtensor shape must be static and positive}}
func.func private @f(!lowbit.qtensor<0x4xi4, #lowbit.scheme<per_tensor, scale = f32>>)

// -----

// expected-error @+1 {{storage type 'f32' is not a low-bit format}}
func.func private @f(!lowbit.qtensor<4xf32, #lowbit.scheme<per_tensor, scale = f32>>)

// -----

// expected-error @+1 {{storage type 'si4' is not a low-bit format}}
func.func private @f(!lowbit.qtensor<4xsi4, #lowbit.scheme<per_tensor, scale = f32>>)

// -----

// expected-error @+1 {{storage type 'i9' is not a low-bit format}}
func.func private @f(!lowbit.qtensor<4xi9, #lowbit.scheme<per_tensor, scale = f32>>)

// -----

// expected-error @+1 {{scheme axis 2 is out of range for rank 2}}
func.func private @f(!lowbit.qtensor<4x4xi4, #lowbit.scheme<per_axis = 2, scale = f32>>)

// -----

// expected-error @+1 {{scheme block has 1 extents but the tensor has rank 2}}
func.func private @f(!lowbit.qtensor<4x128xi4, #lowbit.scheme<per_block = [128], scale = f32>>)

// -----

// expected-error @+1 {{block extent 0 in dimension 0 must be positive}}
func.func private @f(!lowbit.qtensor<4x128xi4, #lowbit.scheme<per_block = [0, 128], scale = f32>>)

// -----

// expected-error @+1 {{block size 128 does not divide dimension 1 (size 100)}}
func.func private @f(!lowbit.qtensor<4x100xi4, #lowbit.scheme<per_block = [1, 128], scale = f32>>)

// -----

// expected-error @+1 {{per_axis granularity needs a scale or zero point type}}
func.func private @f(!lowbit.qtensor<4x4xf8E4M3FN, #lowbit.scheme<per_axis = 0>>)

// -----

// expected-error @+1 {{tensor scale needs a per_block scale}}
func.func private @f(!lowbit.qtensor<4x4xf4E2M1FN, #lowbit.scheme<per_tensor, tensor_scale = f32>>)

// -----

// expected-error @+1 {{scale type 'i8' is not supported (expected f32, f16, bf16, f8E8M0FNU or f8E4M3FN)}}
func.func private @f(!lowbit.qtensor<4x4xi4, #lowbit.scheme<per_tensor, scale = i8>>)

// -----

// expected-error @+1 {{scale type f8E8M0FNU (OCP MX) needs per_block granularity}}
func.func private @f(!lowbit.qtensor<4x32xf4E2M1FN, #lowbit.scheme<per_axis = 0, scale = f8E8M0FNU>>)

// -----

// expected-error @+1 {{scale type f8E8M0FNU (OCP MX) needs blocks of 32 elements, got 64}}
func.func private @f(!lowbit.qtensor<4x64xf4E2M1FN, #lowbit.scheme<per_block = [1, 64], scale = f8E8M0FNU>>)

// -----

// expected-error @+1 {{storage type 'i4' is not an OCP MX element type}}
func.func private @f(!lowbit.qtensor<4x32xi4, #lowbit.scheme<per_block = [1, 32], scale = f8E8M0FNU>>)

// -----

// expected-error @+1 {{scale type f8E4M3FN (NVFP4-style) needs per_block granularity}}
func.func private @f(!lowbit.qtensor<4x32xf4E2M1FN, #lowbit.scheme<per_tensor, scale = f8E4M3FN>>)

// -----

// expected-error @+1 {{tensor scale type must be f32, got 'f16'}}
func.func private @f(!lowbit.qtensor<4x32xf4E2M1FN, #lowbit.scheme<per_block = [1, 16], scale = f8E4M3FN, tensor_scale = f16>>)

// -----

// expected-error @+1 {{tensor scale needs a per_block scale}}
func.func private @f(!lowbit.qtensor<4x32xf4E2M1FN, #lowbit.scheme<per_axis = 0, scale = f16, tensor_scale = f32>>)

// -----

// expected-error @+1 {{zero point is not allowed with a codebook}}
func.func private @f(!lowbit.qtensor<4xui4, #lowbit.scheme<per_tensor, scale = f32, zero_point = ui4, codebook = f32>>)

// -----

// expected-error @+1 {{zero point is not allowed with ternary storage}}
func.func private @f(!lowbit.qtensor<4x!lowbit.ternary, #lowbit.scheme<per_tensor, scale = f32, zero_point = f32>>)

// -----

// expected-error @+1 {{zero point needs integer storage, got 'f8E4M3FN'}}
func.func private @f(!lowbit.qtensor<4xf8E4M3FN, #lowbit.scheme<per_tensor, scale = f32, zero_point = f32>>)

// -----

// expected-error @+1 {{zero point type 'i8' does not match storage type 'ui8'}}
func.func private @f(!lowbit.qtensor<4xui8, #lowbit.scheme<per_tensor, scale = f32, zero_point = i8>>)

// -----

// expected-error @+1 {{zero point type 'f8E4M3FN' must be the storage type or f32, f16, bf16}}
func.func private @f(!lowbit.qtensor<4xui4, #lowbit.scheme<per_tensor, scale = f32, zero_point = f8E4M3FN>>)

// -----

// expected-error @+1 {{codebook_axis given without a codebook}}
func.func private @f(!lowbit.qtensor<4xui4, #lowbit.scheme<per_tensor, scale = f32, codebook_axis = 0>>)

// -----

// expected-error @+1 {{codebook entry type 'i8' must be f32, f16 or bf16}}
func.func private @f(!lowbit.qtensor<4xui4, #lowbit.scheme<per_tensor, codebook = i8>>)

// -----

// expected-error @+1 {{codebook indices must be stored as uiN with N in 1..8, got 'i4'}}
func.func private @f(!lowbit.qtensor<4xi4, #lowbit.scheme<per_tensor, codebook = f32>>)

// -----

// expected-error @+1 {{codebook axis 1 is out of range for rank 1}}
func.func private @f(!lowbit.qtensor<4xui4, #lowbit.scheme<per_tensor, codebook = f32, codebook_axis = 1>>)

// -----

// expected-error @+1 {{layout row_major takes no tile}}
func.func private @f(!lowbit.qtensor<4x4xi4, #lowbit.scheme<per_tensor, scale = f32>, #lowbit.layout<row_major = [2, 2]>>)

// -----

// expected-error @+1 {{layout bit_planes needs integer storage of at most 8 bits or ternary storage, got 'f4E2M1FN'}}
func.func private @f(!lowbit.qtensor<4x4xf4E2M1FN, #lowbit.scheme<per_tensor, scale = f32>, #lowbit.layout<bit_planes>>)

// -----

// expected-error @+1 {{layout base3 needs !lowbit.ternary storage, got 'i2'}}
func.func private @f(!lowbit.qtensor<4x4xi2, #lowbit.scheme<per_tensor, scale = f32>, #lowbit.layout<base3>>)

// -----

// expected-error @+1 {{layout tile has 1 extents but the tensor has rank 2}}
func.func private @f(!lowbit.qtensor<4x4xi4, #lowbit.scheme<per_tensor, scale = f32>, #lowbit.layout<tiled = [4]>>)

// -----

// expected-error @+1 {{tile extent 3 does not divide dimension 1 (size 4)}}
func.func private @f(!lowbit.qtensor<4x4xi4, #lowbit.scheme<per_tensor, scale = f32>, #lowbit.layout<tiled = [4, 3]>>)

// -----

// expected-error @+1 {{expected granularity per_tensor, per_axis or per_block, got 'per_row'}}
func.func private @f(!lowbit.qtensor<4x4xi4, #lowbit.scheme<per_row, scale = f32>>)

// -----

// expected-error @+1 {{unknown scheme field 'scales' (expected scale, zero_point, tensor_scale, codebook or codebook_axis)}}
func.func private @f(!lowbit.qtensor<4x4xi4, #lowbit.scheme<per_tensor, scales = f32>>)

// -----

// expected-error @+1 {{scheme field 'scale' given twice}}
func.func private @f(!lowbit.qtensor<4x4xi4, #lowbit.scheme<per_tensor, scale = f32, scale = f16>>)

// -----

// expected-error @+1 {{unknown layout 'nibbles' (expected row_major, bit_planes, base3, tiled, lut_planes or int8_tiles)}}
func.func private @f(!lowbit.qtensor<4x4xi4, #lowbit.scheme<per_tensor, scale = f32>, #lowbit.layout<nibbles>>)

// -----

// expected-error @+1 {{layout lut_planes: 2-bit codes take 16 elements of K a vector, dividing K = 64; got 32}}
func.func private @lut_planes_k(!lowbit.qtensor<16x64xui2, #lowbit.scheme<per_tensor, scale = f32>, #lowbit.layout<lut_planes = [16, 32]>>)

// -----

// expected-error @+1 {{layout lut_planes: tile rows 24 must be a multiple of 16 dividing 48}}
func.func private @lut_planes_rows(!lowbit.qtensor<48x64xui2, #lowbit.scheme<per_tensor, scale = f32>, #lowbit.layout<lut_planes = [24, 16]>>)

// -----

// expected-error @+1 {{layout lut_planes needs 1-, 2- or 4-bit integer storage, got 'i8'}}
func.func private @lut_planes_bits(!lowbit.qtensor<16x64xi8, #lowbit.scheme<per_tensor, scale = f32>, #lowbit.layout<lut_planes = [16, 4]>>)

// -----

// expected-error @+1 {{layout int8_tiles: 8-bit codes take 4 elements of K a vector, dividing K = 64; got 8}}
func.func private @int8_tiles_k(!lowbit.qtensor<16x64xi8, #lowbit.scheme<per_tensor, scale = f32>, #lowbit.layout<int8_tiles = [16, 8]>>)
