/** A select's options that show their own value (models, log levels, filter values). */
export function ValueOptions({ values }: { values: readonly string[] | null }) {
  return values?.map((v) => (
    <option key={v} value={v}>
      {v}
    </option>
  ));
}
