// tree-sitter-powershell ships no type declarations: its default export is a tree-sitter language.
declare module 'tree-sitter-powershell' {
  import type Parser from 'tree-sitter';
  const language: Parser.Language;
  export default language;
}
