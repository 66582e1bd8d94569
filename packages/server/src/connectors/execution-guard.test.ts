import { describe, expect, it } from 'vitest';
import { PerchError } from '@perch/protocol';
import { ExecutionGuard, queryFailedError } from './execution-guard.js';

describe('ExecutionGuard', () => {
  it('interrupts once on timeout and records why', async () => {
    const guard = new ExecutionGuard(20);
    let calls = 0;
    guard.onInterrupt(() => calls++);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(guard.reason).toBe('timeout');
    expect(guard.signal.aborted).toBe(true);
    expect(calls).toBe(1);
    guard.dispose();
  });

  it('interrupts on abort as cancelled', () => {
    const controller = new AbortController();
    const guard = new ExecutionGuard(10_000, controller.signal);
    let calls = 0;
    guard.onInterrupt(() => calls++);
    controller.abort();
    expect(guard.reason).toBe('cancelled');
    expect(calls).toBe(1);
    guard.dispose();
  });

  it('refuses to start for an already-aborted signal', () => {
    const controller = new AbortController();
    controller.abort();
    const guard = new ExecutionGuard(10_000, controller.signal);
    expect(() => guard.throwIfInterrupted()).toThrow(PerchError);
    guard.dispose();
  });

  it('never interrupts after dispose', async () => {
    const controller = new AbortController();
    const guard = new ExecutionGuard(20, controller.signal);
    let calls = 0;
    guard.onInterrupt(() => calls++);
    guard.dispose();
    controller.abort();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(calls).toBe(0);
  });
});

describe('queryFailedError', () => {
  it('keeps driver text in detail only', () => {
    const error = queryFailedError('postgres', new Error('syntax error at or near "SELECT secret"'));
    expect(error.code).toBe('internal_error');
    expect(error.message).not.toContain('secret');
    expect(error.detail).toContain('SELECT secret');
  });
});
