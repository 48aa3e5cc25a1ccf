import request from "supertest";
import { describe, expect, it, vi } from "vitest";
import { createServer } from "./server.js";

describe("POST /notifications", () => {
  it("enqueues and answers 202", async () => {
    const queue = { push: vi.fn().mockReturnValue("n-1"), size: () => 0 };
    const res = await request(createServer(queue))
      .post("/notifications")
      .send({ to: "a@example.com", template: "digest", data: {} });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ id: "n-1" });
  });

  it("rejects a request without recipient", async () => {
    const queue = { push: vi.fn(), size: () => 0 };
    const res = await request(createServer(queue)).post("/notifications").send({ template: "digest" });
    expect(res.status).toBe(400);
    expect(queue.push).not.toHaveBeenCalled();
  });
});
