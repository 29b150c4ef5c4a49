/**
 * A running guest and the executor loop that drives it: fuel slices, yields
 * to the event loop, suspension in host calls, and every way a run ends.
 * This is the only place that knows about fuel and suspension.
 *
 * @module
 */

import { Errno } from "../wasi/errno.ts";
import { InputPipe } from "../wasi/input_pipe.ts";
import { OutputPipe } from "../wasi/output_pipe.ts";
import { type TerminalStreams, type WasiFunction, WasiPreview1 } from "../wasi/preview1.ts";
import { ProcessExit } from "../wasi/process_exit.ts";
import type { Files } from "../wasi/files.ts";
import {
  type CreateGuest,
  type GuestInstance,
  type HostReply,
  Status,
  type Step,
  SUSPEND,
} from "./_guest_engine.ts";
import type { MemoryBudget } from "./memory_budget.ts";
import { yieldToEventLoop } from "./_yield.ts";
import { checkLimits, SPAWN_LIMITS } from "../_limit_ranges.ts";
import {
  AbortedError,
  EngineError,
  FuelExhaustedError,
  GuestError,
  MemoryLimitError,
  TimeoutError,
  TrapError,
} from "./errors.ts";
import type { ExitStatus } from "./exit_status.ts";
import type { ModuleImport } from "./module_description.ts";

/** Options for starting a guest. */
export interface SpawnOptions {
  /** argv[0] (default `"guest"`). */
  programName?: string;
  /** Arguments after argv[0]. */
  args?: readonly string[];
  /** The guest's environment: exactly these variables (default none). */
  env?: Readonly<Record<string, string>>;
  /** Total fuel the run may consume (default unlimited). */
  fuel?: number;
  /**
   * Fuel per slice between yields to the event loop. By default the
   * executor sizes slices to take about {@linkcode SLICE_TARGET_MS} each.
   */
  fuelSlice?: number;
  /** Wall-clock limit of the run in milliseconds (default none). */
  timeout?: number;
  /** Aborts the run. */
  signal?: AbortSignal;
  /** Most bytes of linear memory and tables the guest may have (default 256 MiB). */
  maxMemory?: number;
  /** A budget of memory this guest shares with others (default none). */
  memoryBudget?: MemoryBudget;
  /** Bytes of stdout/stderr buffered before the guest waits (default 64 KiB). */
  outputHighWaterMark?: number;
  /** Bytes of stdin buffered before writes wait (default 64 KiB). */
  inputHighWaterMark?: number;
  /**
   * Which of the guest's stdin, stdout and stderr it is told are terminals
   * (`isatty()`); by default none: all three are pipes.
   */
  terminal?: TerminalStreams;
  /**
   * A directory of files for the guest, held in memory and preopened as
   * fd 3 (default none). Read-only unless `files.writable`; the bytes it
   * holds count toward `maxMemory`: a write past it fails with `ENOSPC`.
   */
  files?: Files;
}

/** The limits {@linkcode GuestProcess.relimit} sets: as in {@linkcode SpawnOptions}. */
export interface RunLimits {
  /** Total fuel the run may consume, counting what it consumed already (absent: unlimited). */
  fuel?: number | undefined;
  /** Wall-clock limit in milliseconds from now (absent: none). */
  timeout?: number | undefined;
  /** Aborts the run (replaces the spawn's signal). */
  signal?: AbortSignal | undefined;
}

/** What stops a guest that has ended (nothing waits on it any more). */
const ENDED = new AbortedError("The guest has ended");

/** Default memory limit of a guest. */
export const DEFAULT_MAX_MEMORY = 256 * 1024 * 1024;
/** The time one fuel slice should take when slices are sized automatically. */
export const SLICE_TARGET_MS = 2;
const MIN_SLICE = 10_000;
const MAX_SLICE = 100_000_000;
const STEPS_PER_SLICE = 4;
/** Host calls between two reads of the clock (see `#hostCall`). */
const CLOCK_EVERY = 8;

/**
 * A running guest. Write its input to {@linkcode GuestProcess.stdin}, read
 * {@linkcode GuestProcess.stdout} and {@linkcode GuestProcess.stderr}, and
 * await {@linkcode GuestProcess.status}.
 */
export class GuestProcess implements AsyncDisposable {
  /** The guest's stdin; close it to signal end of input. */
  readonly stdin: WritableStream<Uint8Array>;
  /** The guest's stdout. */
  readonly stdout: ReadableStream<Uint8Array>;
  /** The guest's stderr. */
  readonly stderr: ReadableStream<Uint8Array>;
  /** Resolves with the exit status, or rejects with a {@linkcode GuestError}. */
  readonly status: Promise<ExitStatus>;

  /** The instance and its WASI context: forgotten once the run has ended. */
  #guest: GuestInstance | undefined;
  #wasi: WasiPreview1 | undefined;
  readonly #stdio: [InputPipe, OutputPipe, OutputPipe];
  #functions: WasiFunction[];
  readonly #hasResult: boolean[];
  /** The run's limits (see `#limit`). */
  #budget = Infinity;
  #timeout: number | undefined;
  #deadline = Infinity;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #signal: AbortSignal | undefined;
  readonly #fixedSlice: number | undefined;
  readonly #maxMemory: number;
  readonly #memoryBudget: MemoryBudget | undefined;
  /** Bytes reserved from the memory budget. */
  #reserved = 0;
  /** The run has ended and given its reservation back: the guest may hold nothing more. */
  #released = false;
  #overBudget = false;
  /** Bytes of memory and tables granted to the engine (see `#grow`). */
  #granted = 0;
  /** Bytes the guest's files hold (see `#reserveFileBytes`). */
  #fileBytes = 0;
  /** Rejects the wait in progress, if any, when the run is stopped. */
  #interrupt: ((error: GuestError) => void) | undefined;
  #stopped: GuestError | undefined;
  #pending: Promise<number | undefined> | undefined;
  #exit: ProcessExit | undefined;
  #hostFailure: unknown;
  #fuelConsumed = 0;
  #fuelRequired = 0;
  /** When the current slice began (see `#run`). */
  #sliceBegan = 0;
  /** Host calls answered since the clock was last read (see `#hostCall`). */
  #callsUnclocked = 0;

  /** @internal Use {@linkcode GuestModule.spawn}. */
  constructor(
    create: CreateGuest,
    imports: readonly ModuleImport[],
    options: SpawnOptions,
  ) {
    checkLimits(options, SPAWN_LIMITS);
    this.#fixedSlice = options.fuelSlice;
    this.#maxMemory = options.maxMemory ?? DEFAULT_MAX_MEMORY;
    this.#memoryBudget = options.memoryBudget;
    const outputs = { highWaterMark: options.outputHighWaterMark ?? 64 * 1024 };
    this.#stdio = [
      new InputPipe({ highWaterMark: options.inputHighWaterMark ?? 64 * 1024 }),
      new OutputPipe(outputs),
      new OutputPipe(outputs),
    ];
    [this.stdin, this.stdout, this.stderr] = [
      this.#stdio[0].writable,
      this.#stdio[1].readable,
      this.#stdio[2].readable,
    ];
    const created = create({
      call: this.#hostCall,
      grow: this.#grow,
      fail: (error) => this.#halt(error),
    });
    if ("status" in created && created.status === Status.Link) {
      this.#closeStdio();
      throw new WebAssembly.LinkError(created.message);
    }
    // Any other failure to instantiate (the initial memory over the limit,
    // an engine failure) is the run's failure, reported through `status`.
    this.#guest = "status" in created ? undefined : created;
    let wasi: WasiPreview1;
    try {
      wasi = this.#wasi = new WasiPreview1({
        memory: this.#guest?.memory ??
          { bytes: () => new Uint8Array(0), view: () => new DataView(new ArrayBuffer(0)) },
        stdin: this.#stdio[0],
        stdout: this.#stdio[1],
        stderr: this.#stdio[2],
        ...(options.programName === undefined ? {} : { programName: options.programName }),
        ...(options.args === undefined ? {} : { args: options.args }),
        ...(options.env === undefined ? {} : { env: options.env }),
        ...(options.terminal === undefined ? {} : { terminal: options.terminal }),
        ...(options.files === undefined ? {} : { files: options.files }),
        reserveFileBytes: this.#reserveFileBytes,
      });
    } catch (error) {
      // Bad files: nothing runs, and nothing stays held.
      this.#guest?.free();
      this.#guest = undefined;
      this.#closeStdio();
      this.#memoryBudget?.release(this.#reserved);
      this.#released = true;
      throw error;
    }
    this.#functions = imports.map((i) => wasi.imports[i.name]!);
    this.#hasResult = imports.map((i) => (i.results ?? []).length > 0);
    const failed = "status" in created
      ? this.#failure(created.status, created.message)
      : this.#held() > this.#maxMemory
      ? new MemoryLimitError(this.#maxMemory, "its memory and files need more")
      : undefined;
    this.status = this.#run(options, failed);
    this.status.catch(() => {});
  }

  /** Fuel the guest consumed so far. */
  get fuelConsumed(): number {
    return this.#fuelConsumed;
  }

  /**
   * Stops the guest; {@linkcode GuestProcess.status} rejects with an
   * {@linkcode AbortedError}. Does nothing once the guest has ended.
   *
   * @param reason The abort reason.
   */
  kill(reason?: unknown): void {
    this.#halt(new AbortedError(reason));
  }

  /**
   * Replaces the run's limits, as if it had been spawned with them now:
   * `fuel` counts what the guest consumed so far, `timeout` runs from now,
   * and `signal` replaces the spawn's. A spare instance started ahead of
   * the call it will serve takes the call's limits so. Does nothing once
   * the guest has ended.
   *
   * @param limits The new limits (absent ones are lifted).
   * @returns whether the guest was still running (else nothing changed)
   * @throws {RangeError} if `fuel` or `timeout` is out of range.
   */
  relimit(limits: RunLimits): boolean {
    checkLimits(limits, SPAWN_LIMITS);
    if (this.#stopped !== undefined) return false;
    this.#limit(limits);
    return true;
  }

  /** Kills the guest if it still runs and waits for it to end. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.kill(new DOMException("The process was disposed", "AbortError"));
    await this.status.catch(() => {});
  }

  async #run(options: SpawnOptions, failed: Error | undefined): Promise<ExitStatus> {
    // The guest runs only inside a slice: a macrotask turn that ends when
    // the slice's fuel is spent or SLICE_TARGET_MS have passed since the
    // turn began, whatever resumed the guest (a yield, or a microtask that
    // woke it from a host call: a drained pipe, a host answer). Every limit
    // is checked whenever a slice begins.
    let sliceFuel = 0;
    // A slice runs in a few steps, and ends early once its time is up: a
    // slice whose fuel the learned speed overestimates (a phase of costlier
    // instructions) still ends near SLICE_TARGET_MS.
    let stepFuel = 0;
    const nextSlice = async () => {
      // What the guest wrote in the slice reaches its readers meanwhile.
      this.#wasi!.flush();
      await this.#until(yieldToEventLoop());
      if (performance.now() >= this.#deadline) this.#halt(new TimeoutError(this.#timeout!));
      if (this.#stopped !== undefined) throw this.#stopped;
      this.#sliceBegan = performance.now();
      sliceFuel = this.#sliceSize();
      stepFuel = Math.max(MIN_SLICE, Math.ceil(sliceFuel / STEPS_PER_SLICE));
    };
    try {
      if (failed !== undefined) throw failed;
      this.#limit(options);
      // Start in a later task, so that the caller can attach to the streams.
      await nextSlice();
      for (;;) {
        if (
          sliceFuel <= 0 || sliceFuel < this.#fuelRequired ||
          performance.now() - this.#sliceBegan >= SLICE_TARGET_MS
        ) {
          await nextSlice();
        }
        const ran = this.#step(Math.min(sliceFuel, Math.max(stepFuel, this.#fuelRequired)));
        // The V8 engine's step settles in a microtask of this same task.
        const step = ran instanceof Promise ? await this.#until(ran) : ran;
        sliceFuel -= step.fuelConsumed;
        switch (step.status) {
          case Status.Finished:
            return { code: 0, procExit: false, fuelConsumed: this.#fuelConsumed };
          case Status.OutOfFuel:
            break;
          case Status.Suspended: {
            if (this.#exit !== undefined) {
              const { code, signal } = this.#exit;
              return {
                code,
                procExit: true,
                ...(signal === undefined ? {} : { signal }),
                fuelConsumed: this.#fuelConsumed,
              };
            }
            if (this.#pending === undefined) {
              throw new EngineError("A host function failed", { cause: this.#hostFailure });
            }
            const errno = await this.#until(this.#pending);
            this.#pending = undefined;
            if (errno !== undefined) this.#guest!.setResumeResult(errno);
            break;
          }
          default:
            throw this.#failure(step.status, this.#guest!.message());
        }
      }
    } catch (error) {
      const failure = error instanceof GuestError
        ? error
        : new EngineError(`The engine failed: ${(error as Error)?.message ?? error}`, {
          cause: error,
        });
      failure.fuelConsumed = this.#fuelConsumed;
      throw failure;
    } finally {
      this.#stopped ??= ENDED;
      clearTimeout(this.#timer);
      this.#signal?.removeEventListener("abort", this.#onAbort);
      this.#wasi!.dispose();
      this.#guest?.free();
      // A process the application still holds once it has ended pins
      // neither its instance, nor its memory, nor the engine it ran in.
      this.#guest = undefined;
      this.#wasi = undefined;
      this.#functions = [];
      this.#released = true;
      this.#memoryBudget?.release(this.#reserved);
      this.#reserved = 0;
      this.#closeStdio();
    }
  }

  /** Sets the fuel budget, the deadline and the signal the run obeys. */
  #limit({ fuel, timeout, signal }: RunLimits): void {
    this.#budget = fuel ?? Infinity;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timeout = timeout;
    this.#deadline = timeout === undefined ? Infinity : performance.now() + timeout;
    if (timeout !== undefined) {
      this.#timer = setTimeout(() => this.#halt(new TimeoutError(timeout)), timeout);
    }
    this.#signal?.removeEventListener("abort", this.#onAbort);
    this.#signal = signal;
    if (signal?.aborted) this.#onAbort();
    signal?.addEventListener("abort", this.#onAbort, { once: true });
    // Spent already (by a spare's start-up): it could not run another step.
    if (this.#fuelConsumed >= this.#budget) {
      this.#halt(new FuelExhaustedError(this.#budget));
    }
  }

  #onAbort = (): void => this.#halt(new AbortedError(this.#signal?.reason));

  /** Fuel for one slice: fixed, or sized from the engine's learned speed. */
  #sliceSize(): number {
    const fuelPerMs = this.#guest?.speed.fuelPerMs ?? MIN_SLICE;
    const slice = this.#fixedSlice ??
      Math.min(MAX_SLICE, Math.max(MIN_SLICE, fuelPerMs * SLICE_TARGET_MS));
    return Math.max(Math.floor(slice), this.#fuelRequired);
  }

  /** Runs the guest with at most `slice` fuel and accounts for it. */
  #step(slice: number): Step | Promise<Step> {
    const left = this.#budget - this.#fuelConsumed;
    if (left < this.#fuelRequired || left <= 0) throw new FuelExhaustedError(this.#budget);
    const fuel = Math.min(slice, left);
    const started = performance.now();
    const step = this.#guest!.run(fuel);
    return step instanceof Promise
      ? step.then((step) => this.#account(step, started))
      : this.#account(step, started);
  }

  /** Accounts for a step that began at `started`. */
  #account(step: Step, started: number): Step {
    const elapsed = performance.now() - started;
    this.#fuelConsumed += step.fuelConsumed;
    this.#fuelRequired = step.status === Status.OutOfFuel ? step.fuelRequired : 0;
    if (step.status === Status.OutOfFuel && this.#fixedSlice === undefined && elapsed > 0.05) {
      // Learn the module's speed from runs that used all their fuel.
      const speed = this.#guest!.speed;
      const learned = 0.8 * speed.fuelPerMs + 0.2 * (step.fuelConsumed / elapsed);
      speed.fuelPerMs = Math.min(speed.maxFuelPerMs, learned);
    }
    return step;
  }

  /** Waits for `promise` unless the run is stopped first. */
  #until<T>(promise: Promise<T>): Promise<T> {
    if (this.#stopped !== undefined) return Promise.reject(this.#stopped);
    // Not Promise.race with one long-lived "stopped" promise: every race
    // would add a reaction to it that lives as long as the guest (≈ 300
    // bytes per wait, a gigabyte over a long session).
    return new Promise<T>((resolve, reject) => {
      this.#interrupt = reject;
      promise.then(resolve, reject).finally(() => {
        if (this.#interrupt === reject) this.#interrupt = undefined;
      });
    });
  }

  #halt(error: GuestError): void {
    if (this.#stopped !== undefined) return;
    this.#stopped = error;
    this.#interrupt?.(error);
  }

  #failure(status: number, message: string): Error {
    switch (status) {
      case Status.Trap:
        return new TrapError(message);
      case Status.MemoryLimit:
        return this.#overBudget
          ? new MemoryLimitError(this.#memoryBudget!.limit, `the shared memory budget is used up`)
          : new MemoryLimitError(this.#maxMemory, message);
      case Status.Link:
        return new WebAssembly.LinkError(message);
      default:
        return new EngineError(message);
    }
  }

  #closeStdio(): void {
    this.#stdio[0].close();
    this.#stdio[1].close();
    this.#stdio[2].close();
  }

  /**
   * Whether the guest may hold `bytes` more (see `GuestHost.grow`); a
   * negative `bytes` gives back a grant whose growth did not happen.
   */
  #grow = (bytes: number): boolean => {
    // A guest still being prepared when its run ended (stopped while the
    // module was instrumented or compiled) asks only afterwards: refused,
    // or the budget would keep bytes that nothing gives back.
    if (this.#released) return bytes < 0;
    // The guest's files count toward maxMemory too.
    if (bytes > 0 && this.#fileBytes > 0 && this.#held() + bytes > this.#maxMemory) return false;
    if (!this.#reserve(bytes)) {
      this.#overBudget = true;
      return false;
    }
    this.#granted += bytes;
    return true;
  };

  /** Whether the guest's files may hold `bytes` more (see `WasiPreview1Options.reserveFileBytes`). */
  #reserveFileBytes = (bytes: number): boolean => {
    if (this.#released) return bytes < 0;
    // The initial files are checked against maxMemory alone (the memory an
    // engine instantiates later is checked against both, see the constructor).
    const held = this.#wasi === undefined ? this.#fileBytes : this.#held();
    if (bytes > 0 && held + bytes > this.#maxMemory) return false;
    if (!this.#reserve(bytes)) return false;
    this.#fileBytes += bytes;
    return true;
  };

  /** Bytes of memory, tables and files the guest holds. */
  #held(): number {
    return this.#granted + this.#fileBytes;
  }

  /** Reserves `bytes` from the memory budget, if there is one (a negative count gives back). */
  #reserve(bytes: number): boolean {
    if (this.#memoryBudget === undefined) return true;
    if (bytes < 0) {
      this.#memoryBudget.release(-bytes);
      this.#reserved += bytes;
      return true;
    }
    if (!this.#memoryBudget.tryReserve(bytes)) return false;
    this.#reserved += bytes;
    return true;
  }

  /**
   * Handles one import call of the guest: its result now, or
   * {@linkcode SUSPEND} (see `GuestCallbacks.call`).
   */
  #hostCall = (importIndex: number, argv: (number | bigint)[], canSuspend: boolean): HostReply => {
    let result: number | Promise<number> | undefined;
    try {
      result = (this.#functions[importIndex] as (...args: (number | bigint)[]) => typeof result)(
        ...argv,
      );
    } catch (error) {
      if (error instanceof RangeError) {
        result = Errno.FAULT;
      } else {
        if (error instanceof ProcessExit) this.#exit = error;
        else this.#hostFailure = error;
        return SUSPEND;
      }
    }
    if (typeof result === "object") {
      this.#pending = result.catch((error) => {
        if (error instanceof RangeError) return Errno.FAULT;
        throw error;
      });
      return SUSPEND;
    }
    const value = this.#hasResult[importIndex] ? result : undefined;
    // An import that cannot suspend (see `GuestCallbacks.call`) answers at
    // once; the guest's next fuel check ends the slice. The clock is read
    // every CLOCK_EVERY calls only: reading it cost more than a write to
    // stdout (a slice ends at most a few host calls late).
    if (!canSuspend || ++this.#callsUnclocked < CLOCK_EVERY) return value;
    this.#callsUnclocked = 0;
    if (performance.now() - this.#sliceBegan < SLICE_TARGET_MS) return value;
    // The slice is over: suspend as if the call had waited, so that a guest
    // busy with cheap host calls still yields on time.
    this.#pending = Promise.resolve(value);
    return SUSPEND;
  };
}
