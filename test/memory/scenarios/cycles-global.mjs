// LEAK: parent/child trees with back-pointers, rooted in a global registry that only grows.
class TreeNode {
  constructor(name, parent) {
    this.name = name;
    this.parent = parent;
    this.children = [];
  }
}
globalThis.__documents = globalThis.__documents ?? [];
let n = 0;

export default async function iteration() {
  const root = new TreeNode('doc' + n++, null); // leak-site
  for (let i = 0; i < 3; i++) root.children.push(new TreeNode('child' + i, root));
  globalThis.__documents.push(root);
}
