import { createServer } from "./server.js";
import { SmtpMailer } from "./mailer.js";
import { InMemoryQueue } from "./queue.js";

const port = Number(process.env.PORT ?? 3000);
const mailer = new SmtpMailer(process.env.SMTP_URL ?? "smtp://localhost:1025");
const queue = new InMemoryQueue(mailer, { concurrency: 4 });

createServer(queue).listen(port, () => {
  console.log(`notify listening on :${port}`);
});
