import { randomUUID } from "node:crypto";
import type { Mailer, Message } from "./mailer.js";

export interface Queue {
  push(message: Message): string;
  size(): number;
}

export class InMemoryQueue implements Queue {
  private pending: Array<{ id: string; message: Message; attempts: number }> = [];
  private running = 0;

  constructor(private mailer: Mailer, private options: { concurrency: number; maxAttempts?: number }) {}

  push(message: Message): string {
    const id = randomUUID();
    this.pending.push({ id, message, attempts: 0 });
    this.drain();
    return id;
  }

  size(): number {
    return this.pending.length + this.running;
  }

  private drain(): void {
    while (this.running < this.options.concurrency && this.pending.length > 0) {
      const job = this.pending.shift()!;
      this.running += 1;
      this.mailer
        .send(job.message)
        .catch(() => {
          job.attempts += 1;
          if (job.attempts < (this.options.maxAttempts ?? 3)) this.pending.push(job);
        })
        .finally(() => {
          this.running -= 1;
          this.drain();
        });
    }
  }
}
