// The one function of parse-prometheus-text-format the tests use (the package ships no types).
declare module 'parse-prometheus-text-format' {
  interface Family {
    name: string;
    help: string;
    type: string;
    metrics: Array<{ value?: string; labels?: Record<string, string> }>;
  }
  export default function parse(text: string): Family[];
}
