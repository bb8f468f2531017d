import { Autocomplete } from "@mantine/core";
import { useMemo, type Ref } from "react";
import { jsonPathSuggestions } from "../definition/output-properties";
import { useAppStore } from "../store";
import { useCatalogue } from "./catalogue-context";

/** A jsonpath field that completes `$.steps.` with the steps this one may read and their outputs. */
export function JsonPathInput({
  viewer,
  label,
  value,
  onChange,
  error,
  inputRef,
}: {
  viewer: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: boolean;
  inputRef?: Ref<HTMLInputElement>;
}) {
  const catalogue = useCatalogue();
  const definition = useAppStore((state) => state.definition);
  const samples = useAppStore((state) => state.stepSamples);
  const data = useMemo(() => {
    if (definition === null) return [];
    const typed = value === "" ? "$.steps." : value;
    return jsonPathSuggestions({ definition, catalogue, samples }, viewer, typed).map((suggestion) => suggestion.path);
  }, [definition, catalogue, samples, viewer, value]);
  return (
    <Autocomplete
      ref={inputRef}
      aria-label={label}
      placeholder="$.steps."
      value={value}
      onChange={onChange}
      data={data}
      filter={({ options }) => options}
      limit={50}
      error={error}
      styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)", fontSize: 13 } }}
      comboboxProps={{ withinPortal: true, shadow: "md" }}
      spellCheck={false}
      autoComplete="off"
    />
  );
}
