/** A BodyQueue whose hook calls (pause, resume, waiting, cancel) are recorded in order. */
import { BodyQueue } from "../../src/protocols/body-queue.ts";

export function recordedBodyQueue(): { queue: BodyQueue; calls: string[]; count: (name: string) => number } {
  const calls: string[] = [];
  const queue = new BodyQueue({
    pause: () => calls.push("pause"),
    resume: () => calls.push("resume"),
    waiting: (isWaiting) => calls.push(`waiting:${isWaiting}`),
    cancel: () => calls.push("cancel"),
  });
  const count = (name: string): number => calls.filter((c) => c === name).length;
  return { queue, calls, count };
}
