import { describe, expect, it } from "vitest";
import { renderTemplate } from "./mailer.js";

describe("renderTemplate", () => {
  it("fills nested placeholders", () => {
    expect(renderTemplate("Hi {{ user.name }}!", { user: { name: "Ada" } })).toBe("Hi Ada!");
  });

  it("renders unknown names as empty", () => {
    expect(renderTemplate("[{{missing}}]", {})).toBe("[]");
  });
});
