import express, { type Express } from "express";
import type { Queue } from "./queue.js";

export interface NotifyRequest {
  to: string;
  template: "digest" | "invoice-issued";
  data: Record<string, unknown>;
}

/**
 * Build the HTTP app: `POST /notifications` enqueues one e-mail and answers 202.
 */
export function createServer(queue: Queue): Express {
  const app = express();
  app.use(express.json({ limit: "64kb" }));

  app.get("/healthz", (_req, res) => {
    res.status(204).end();
  });

  app.post("/notifications", (req, res) => {
    const body = req.body as Partial<NotifyRequest>;
    if (!body.to || !body.template) {
      res.status(400).json({ error: "to and template are required" });
      return;
    }
    const id = queue.push({ to: body.to, template: body.template, data: body.data ?? {} });
    res.status(202).json({ id });
  });

  return app;
}
