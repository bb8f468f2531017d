// ESLint for the frontend: `npm run lint` (part of `make lint`).
import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import { defineConfig, globalIgnores } from "eslint/config";
import globals from "globals";
import tseslint from "typescript-eslint";

export default defineConfig([
  // schema.d.ts is generated from the backend's OpenAPI schema (npm run generate:api).
  globalIgnores(["dist", "src/api/schema.d.ts"]),
  {
    files: ["**/*.{ts,tsx}"],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    languageOptions: {
      ecmaVersion: 2023,
      globals: globals.browser,
    },
    // The hooks rules only: the plugin's recommended set also carries the React Compiler's
    // diagnostics, which check code meant for that compiler, and this app does not use it.
    plugins: { "react-hooks": reactHooks },
    rules: {
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "error",
      // `const { [key]: _removed, ...rest } = object` is how the store drops a key.
      "@typescript-eslint/no-unused-vars": ["error", { ignoreRestSiblings: true }],
    },
  },
  {
    files: ["*.{js,cjs}"],
    extends: [js.configs.recommended],
    languageOptions: { globals: globals.node },
  },
  {
    files: ["*.ts"],
    languageOptions: { globals: globals.node },
  },
]);
