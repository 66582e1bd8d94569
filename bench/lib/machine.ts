import os from 'node:os';

export interface Machine {
  cores: number;
  cpuModel: string;
  node: string;
  platform: string;
}

/** The machine a run happened on; printed with every result, because figures mean nothing without it. */
export function describeMachine(): Machine {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpuModel: cpus[0]?.model.trim().replace(/\s+/g, ' ') ?? 'unknown CPU',
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  };
}

/** One line for RESULTS.md: `2 cores, Intel(R) Xeon(R) …, Node v20.19.0, linux 6.1 x64`. */
export function machineLine(machine: Machine): string {
  return `${machine.cores} cores, ${machine.cpuModel}, Node ${machine.node}, ${machine.platform}`;
}
