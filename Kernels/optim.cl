// Fused optimizer steps, updating parameters and state in place with PyTorch's semantics.
// One work item per parameter element.

// torch.optim.SGD: d = g + wd*p; buf = first ? d : momentum*buf + (1-dampening)*d;
// d = nesterov ? d + momentum*buf : buf (when momentum != 0); p -= lr*d.
__kernel void sgd_f32(__global float* p, int po, __global float* buf, int bo, __global const float* g, int go,
                      int n, float lr, float momentum, float dampening, float weightDecay,
                      int nesterov, int firstStep) {
    int i = get_global_id(0);
    if (i >= n) return;
    float param = p[po + i];
    float d = g[go + i];
    if (weightDecay != 0.0f) d = d + weightDecay * param;
    if (momentum != 0.0f) {
        float b = firstStep ? d : momentum * buf[bo + i] + (1.0f - dampening) * d;
        buf[bo + i] = b;
        d = nesterov ? d + momentum * b : b;
    }
    p[po + i] = param - lr * d;
}

// torch.optim.Adam / AdamW (amsgrad off): the host passes stepSize = lr / (1 - beta1^t) and
// bc2Sqrt = sqrt(1 - beta2^t).
__kernel void adam_f32(__global float* p, int po, __global float* m, int mo, __global float* v, int vo,
                       __global const float* g, int go, int n, float lr, float beta1, float beta2,
                       float epsilon, float weightDecay, int decoupled, float stepSize, float bc2Sqrt) {
    int i = get_global_id(0);
    if (i >= n) return;
    float param = p[po + i];
    float grad = g[go + i];
    if (weightDecay != 0.0f) {
        if (decoupled) param = param * (1.0f - lr * weightDecay);
        else grad = grad + weightDecay * param;
    }
    float m1 = m[mo + i] + (1.0f - beta1) * (grad - m[mo + i]);
    float v1 = v[vo + i] * beta2 + (1.0f - beta2) * grad * grad;
    m[mo + i] = m1;
    v[vo + i] = v1;
    float denom = sqrt(v1) / bc2Sqrt + epsilon;
    p[po + i] = param - stepSize * (m1 / denom);
}
