import { mount } from "@vue/test-utils";
import { describe, expect, it } from "vitest";
import StatusBadge from "./StatusBadge.vue";

describe("StatusBadge", () => {
  it("shows the status text", () => {
    const wrapper = mount(StatusBadge, { props: { status: "paid" } });
    expect(wrapper.text()).toBe("paid");
  });

  it("uses the status colour", () => {
    const wrapper = mount(StatusBadge, { props: { status: "open" } });
    expect(wrapper.attributes("style")).toContain("background");
  });
});
