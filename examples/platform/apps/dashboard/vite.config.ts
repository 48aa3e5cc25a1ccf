import { defineConfig } from "vite";
import vue from "@vitejs/plugin-vue";

export default defineConfig({
  plugins: [vue()],
  server: { proxy: { "/billing": "http://localhost:8080" } },
  test: { environment: "jsdom" },
});
