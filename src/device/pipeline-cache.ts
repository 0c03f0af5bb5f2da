import type { BindingAccess, KernelConstants, KernelDefinition } from '../kernels/kernel.js';

/**
 * Compiles each (kernel, constants) pair once. Compilation errors are checked asynchronously (the
 * engine awaits `pendingChecks` at its next sync) and reported with the kernel's name and WGSL line.
 */
export class PipelineCache {
  private readonly modules = new Map<string, GPUShaderModule>();
  private readonly layouts = new Map<string, GPUBindGroupLayout>();
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly compiling = new Map<string, Promise<{ pipeline: GPUComputePipeline; layout: GPUBindGroupLayout }>>();
  /** Promises that resolve to an error message, or null when the pipeline compiled cleanly. */
  readonly pendingChecks: Promise<string | null>[] = [];

  constructor(private readonly device: GPUDevice) {}

  get size(): number {
    return this.pipelines.size;
  }

  pipeline(kernel: KernelDefinition, constants: KernelConstants): { pipeline: GPUComputePipeline; layout: GPUBindGroupLayout } {
    const layout = this.bindGroupLayout(kernel.bindings);
    const key = `${kernel.name}|${kernel.entryPoint ?? 'main'}|${constantsKey(constants)}`;
    let pipeline = this.pipelines.get(key);
    if (!pipeline) {
      const module = this.shaderModule(kernel);
      this.device.pushErrorScope('validation');
      pipeline = this.device.createComputePipeline({
        label: kernel.name,
        layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout], label: kernel.name }),
        compute: { module, entryPoint: kernel.entryPoint ?? 'main', constants: { ...constants } },
      });
      this.pendingChecks.push(
        this.device.popErrorScope().then(async (error) => {
          if (!error) return null;
          const where = await compilationMessages(module);
          return `kernel '${kernel.name}' (constants ${constantsKey(constants) || 'none'}) failed to build: ${error.message}${where}`;
        }),
      );
      this.pipelines.set(key, pipeline);
    }
    return { pipeline, layout };
  }

  /**
   * The same pipeline compiled without blocking the queue (for the tuner, which compiles every candidate
   * at once); rejects with the kernel's name and WGSL messages when it fails. Later `pipeline()` calls
   * for it hit the cache.
   */
  async pipelineAsync(kernel: KernelDefinition, constants: KernelConstants): Promise<{ pipeline: GPUComputePipeline; layout: GPUBindGroupLayout }> {
    const layout = this.bindGroupLayout(kernel.bindings);
    const key = `${kernel.name}|${kernel.entryPoint ?? 'main'}|${constantsKey(constants)}`;
    const cached = this.pipelines.get(key);
    if (cached) return { pipeline: cached, layout };
    let compiling = this.compiling.get(key);
    if (!compiling) {
      compiling = this.compileAsync(kernel, constants, layout, key).finally(() => this.compiling.delete(key));
      this.compiling.set(key, compiling);
    }
    return compiling;
  }

  private async compileAsync(kernel: KernelDefinition, constants: KernelConstants, layout: GPUBindGroupLayout, key: string) {
    const module = this.shaderModule(kernel);
    let pipeline: GPUComputePipeline;
    try {
      pipeline = await this.device.createComputePipelineAsync({
        label: kernel.name,
        layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout], label: kernel.name }),
        compute: { module, entryPoint: kernel.entryPoint ?? 'main', constants: { ...constants } },
      });
    } catch (error) {
      const where = await compilationMessages(module);
      throw new Error(`kernel '${kernel.name}' (constants ${constantsKey(constants) || 'none'}) failed to build: ${error instanceof Error ? error.message : String(error)}${where}`);
    }
    this.pipelines.set(key, pipeline);
    return { pipeline, layout };
  }

  private shaderModule(kernel: KernelDefinition): GPUShaderModule {
    // Keyed by source text: kernels that are entry points of one file share its module.
    let module = this.modules.get(kernel.source);
    if (!module) {
      module = this.device.createShaderModule({ code: kernel.source, label: kernel.name });
      this.modules.set(kernel.source, module);
    }
    return module;
  }

  private bindGroupLayout(bindings: readonly BindingAccess[]): GPUBindGroupLayout {
    const key = bindings.join(',');
    let layout = this.layouts.get(key);
    if (!layout) {
      layout = this.device.createBindGroupLayout({
        label: `bindings(${key})`,
        entries: bindings.map((access, binding) => ({
          binding,
          visibility: GPUShaderStage.COMPUTE,
          buffer: { type: access === 'uniform' ? 'uniform' : access === 'read' ? 'read-only-storage' : 'storage' },
        })),
      });
      this.layouts.set(key, layout);
    }
    return layout;
  }
}

function constantsKey(constants: KernelConstants): string {
  return Object.keys(constants)
    .sort()
    .map((name) => `${name}=${constants[name]}`)
    .join(',');
}

async function compilationMessages(module: GPUShaderModule): Promise<string> {
  const info = await module.getCompilationInfo();
  const lines = info.messages.map((m) => `\n  WGSL line ${m.lineNum}:${m.linePos} ${m.type}: ${m.message}`);
  return lines.join('');
}
