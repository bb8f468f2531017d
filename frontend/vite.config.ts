/// <reference types="vitest/config" />
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));

// The built dist/index.html is served by Django at "/", and everything else in
// dist/ is collected as Django static files under STATIC_URL = "/static/".
export default defineConfig({
  root,
  base: "/static/",
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL("./dist", import.meta.url)),
    emptyOutDir: true,
    manifest: false,
    rolldownOptions: {
      input: fileURLToPath(new URL("./index.html", import.meta.url)),
      output: {
        // Libraries change less often than the app: separate chunks stay cached across releases.
        codeSplitting: {
          groups: [
            { name: "react", test: /node_modules[\\/](react|react-dom|react-router|scheduler)[\\/]/, priority: 30 },
            { name: "mantine", test: /node_modules[\\/]@mantine[\\/]/, priority: 20 },
            { name: "canvas", test: /node_modules[\\/](@xyflow|d3-[a-z]+|zustand|classcat)[\\/]/, priority: 20 },
            // The Script step's code editor, loaded with builder/CodeField.tsx only (React.lazy).
            { name: "codemirror", test: /node_modules[\\/](@codemirror|@lezer|@marijn|crelt|style-mod|w3c-keyname)[\\/]/, priority: 20 },
            { name: "vendor", test: /node_modules[\\/]/, priority: 10 },
          ],
        },
      },
    },
  },
  server: {
    proxy: {
      "/api": {
        target: "http://127.0.0.1:8000",
        changeOrigin: false,
      },
    },
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["./src/test/setup.ts"],
    restoreMocks: true,
    unstubGlobals: true,
  },
});
