export type Activation = 'none' | 'relu' | 'leakyRelu' | 'sigmoid' | 'tanh';
export interface MatmulProblem { M: number; N: number; K: number; transposeA: boolean; transposeB: boolean; hasBias: boolean; activation: Activation; leakySlope: number }
export interface MatmulPlan { entryPoint: string; constants: Record<string, number>; workgroups: [number, number, number]; variant: string }
const codes: Record<Activation, number> = { none: 0, relu: 1, leakyRelu: 2, sigmoid: 3, tanh: 4 };
export function planMatmul(p: MatmulProblem): MatmulPlan {
  return { entryPoint: 'main', variant: 'placeholder', workgroups: [Math.ceil(p.N / 8), Math.ceil(p.M / 8), 1],
    constants: { M: p.M, N: p.N, K: p.K, TRANSPOSE_A: +p.transposeA, TRANSPOSE_B: +p.transposeB, HAS_BIAS: +p.hasBias, ACTIVATION: codes[p.activation], LEAKY_SLOPE: p.leakySlope } };
}
