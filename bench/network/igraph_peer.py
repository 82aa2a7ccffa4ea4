"""The peer of the network benchmark: python-igraph on the same graph file.

Run with Debian's interpreter, which has python3-igraph 0.10:

    /usr/bin/python3 bench/network/igraph_peer.py FILE [--directed]

FILE is a CSV edge list (source,target with a header) or a SNAP edge list
(.txt, '#' comments). The graph is simplified (self-loops dropped, parallel
edges merged), as bench_network reads it. Times the computation only and
prints

    peer stats_s=... betweenness_s=...
    peer stats_cpu_s=... betweenness_cpu_s=...     (CPU seconds of the process)
    peer apl=... diameter=... clustering=... transitivity=... modularity=...

where "stats" is what ComputeNetworkStats computes: weak and strong
components, exact average path length and diameter (unreachable pairs
skipped), average local clustering (nodes of degree < 2 skipped, and counted
as 0), transitivity, reciprocity, degree assortativity and Louvain
(community_multilevel on the undirected view). igraph's C core runs on one
thread.
"""

import sys
import time

import igraph


def read_edges(path):
    names = {}
    edges = []

    def node(name):
        if name not in names:
            names[name] = len(names)
        return names[name]

    with open(path) as f:
        if path.endswith(".csv"):
            next(f)  # header
            for line in f:
                source, target = line.strip().split(",")[:2]
                edges.append((node(source), node(target)))
        else:
            for line in f:
                if not line.strip() or line[0] in "#%":
                    continue
                source, target = line.split()[:2]
                edges.append((node(source), node(target)))
    return len(names), edges


def main():
    path = sys.argv[1]
    directed = "--directed" in sys.argv[2:]
    n, edges = read_edges(path)
    g = igraph.Graph(n=n, edges=edges, directed=directed)
    g.simplify()
    print(f"peer nodes={g.vcount()} edges={g.ecount()}")

    start = time.perf_counter()
    cpu_start = time.process_time()
    g.connected_components(mode="weak")
    g.connected_components(mode="strong")
    apl = g.average_path_length(directed=directed, unconn=True)
    diameter = g.diameter(directed=directed, unconn=True)
    clustering = g.transitivity_avglocal_undirected(mode="nan")
    g.transitivity_avglocal_undirected(mode="zero")
    transitivity = g.transitivity_undirected()
    if directed:
        g.reciprocity()
    g.assortativity_degree(directed=directed)
    undirected = g.as_undirected(mode="collapse") if directed else g
    communities = undirected.community_multilevel()
    modularity = communities.modularity
    stats_s = time.perf_counter() - start
    stats_cpu_s = time.process_time() - cpu_start

    start = time.perf_counter()
    cpu_start = time.process_time()
    betweenness = g.betweenness(directed=directed)
    betweenness_s = time.perf_counter() - start
    betweenness_cpu_s = time.process_time() - cpu_start
    print(f"peer stats_s={stats_s:.3f} betweenness_s={betweenness_s:.3f}")
    print(f"peer stats_cpu_s={stats_cpu_s:.3f} betweenness_cpu_s={betweenness_cpu_s:.3f}")
    print(f"peer apl={apl:.6f} diameter={diameter} clustering={clustering:.6f} "
          f"transitivity={transitivity:.6f} modularity={modularity:.4f} "
          f"communities={len(communities)} max_betweenness={max(betweenness):.3f}")


if __name__ == "__main__":
    main()
