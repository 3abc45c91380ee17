#ifndef SYNAPSE_VECTOR_MATH_H
#define SYNAPSE_VECTOR_MATH_H

// exp, tanh and sigmoid over contiguous float arrays with AVX2 and FMA, 8 lanes at a time.
// Each returns 1 when it did the work, 0 when this CPU lacks AVX2/FMA (or is not x86-64); the
// caller then uses its portable loop. The formulas are those of SynapseCPU's VectorMath.swift
// (same ranges, saturation and NaN handling), so results differ from it by rounding only.
int synapse_exp_f32(const float *x, float *y, long count);
int synapse_tanh_f32(const float *x, float *y, long count);
int synapse_sigmoid_f32(const float *x, float *y, long count);

// Whether the functions above run on this CPU.
int synapse_vector_math_available(void);

#endif
