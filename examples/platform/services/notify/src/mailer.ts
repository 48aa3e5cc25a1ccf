import { readFile } from "node:fs/promises";
import nodemailer, { type Transporter } from "nodemailer";

export interface Message {
  to: string;
  template: string;
  data: Record<string, unknown>;
}

export interface Mailer {
  send(message: Message): Promise<void>;
}

/** Replace `{{ name }}` placeholders; unknown names render as an empty string. */
export function renderTemplate(source: string, data: Record<string, unknown>): string {
  return source.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_m, key: string) => {
    const value = key.split(".").reduce<unknown>(
      (obj, part) => (obj && typeof obj === "object" ? (obj as Record<string, unknown>)[part] : undefined),
      data,
    );
    return value === undefined || value === null ? "" : String(value);
  });
}

/** Sends rendered HTML templates from `templates/` through an SMTP relay. */
export class SmtpMailer implements Mailer {
  private transport: Transporter;

  constructor(url: string, private templateDir = new URL("../templates/", import.meta.url)) {
    this.transport = nodemailer.createTransport(url);
  }

  async send(message: Message): Promise<void> {
    const source = await readFile(new URL(`${message.template}.html`, this.templateDir), "utf8");
    await this.transport.sendMail({
      from: "Platform <no-reply@platform.example>",
      to: message.to,
      subject: String(message.data.subject ?? "Notification"),
      html: renderTemplate(source, message.data),
    });
  }
}
