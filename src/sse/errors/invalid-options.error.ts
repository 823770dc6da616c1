/** One bad module option: its path (`http.jwt.secret`) and what is wrong with it. */
export interface OptionProblem {
  readonly option: string;
  readonly message: string;
}

/**
 * `SseModule.forRoot()` options that cannot work, every problem at once. Thrown when the
 * module starts, so a bad setting stops the application instead of surfacing later.
 */
export class InvalidSseOptionsError extends Error {
  constructor(readonly problems: readonly OptionProblem[]) {
    super(`invalid SseModule options:\n${problems.map((p) => `  - ${p.option} ${p.message}`).join('\n')}`);
    this.name = 'InvalidSseOptionsError';
  }
}

/** Collects problems while options are resolved. */
export class OptionProblems {
  readonly list: OptionProblem[] = [];

  add(option: string, message: string): void {
    this.list.push({ option, message });
  }

  throwIfAny(): void {
    if (this.list.length > 0) throw new InvalidSseOptionsError(this.list);
  }
}
