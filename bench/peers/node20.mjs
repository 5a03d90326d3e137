// PostGraphile 5.1's planner (@dataplan/pg, grafast) declares node >= 22 and uses
// Promise.withResolvers (node 22); this machine has node 20. Imported first by
// postgraphile.mjs, so it runs before any of them is evaluated.
if (typeof Promise.withResolvers !== "function") {
  Promise.withResolvers = function withResolvers() {
    let resolve;
    let reject;
    const promise = new this((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
