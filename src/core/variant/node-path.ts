/**
 * NodePath: names, subnames and the absolute flag, parsed as Godot parses them.
 * @see godot core/string/node_path.cpp NodePath(const String &)
 *
 * "/root/Main:position:x" → absolute, names ["root","Main"], subnames ["position","x"].
 * Empty parts are dropped ("a//b" → "a/b", "a:" → "a"), as in Godot.
 */
export class NodePath {
  names: string[];
  subnames: string[];
  absolute: boolean;

  constructor(path = '') {
    this.absolute = path.startsWith('/');
    const colon = path.indexOf(':');
    const namePart = colon < 0 ? path : path.slice(0, colon);
    const subPart = colon < 0 ? '' : path.slice(colon + 1);
    this.names = namePart.split('/').filter((p) => p.length > 0);
    this.subnames = subPart.length > 0 ? subPart.split(':').filter((p) => p.length > 0) : [];
  }

  static fromParts(names: string[], subnames: string[] = [], absolute = false): NodePath {
    const p = new NodePath();
    p.names = names;
    p.subnames = subnames;
    p.absolute = absolute;
    return p;
  }

  isAbsolute(): boolean { return this.absolute; }
  isEmpty(): boolean { return this.names.length === 0 && this.subnames.length === 0; }
  getNameCount(): number { return this.names.length; }
  getName(i: number): string { return this.names[i] ?? ''; }
  getSubnameCount(): number { return this.subnames.length; }
  getSubname(i: number): string { return this.subnames[i] ?? ''; }

  toString(): string {
    const head = (this.absolute ? '/' : '') + this.names.join('/');
    return this.subnames.length > 0 ? `${head}:${this.subnames.join(':')}` : head;
  }

  equals(o: NodePath): boolean {
    return this.absolute === o.absolute && sameStrings(this.names, o.names) &&
      sameStrings(this.subnames, o.subnames);
  }
}

function sameStrings(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}
