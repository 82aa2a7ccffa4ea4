#!/usr/bin/python3
"""Writes golden_networkx_igraph.txt: peer-tool values for the libs/graph tests.

Regenerate (Debian bookworm: python3-networkx 2.8.8, python3-igraph 0.10.2):

    /usr/bin/python3 tests/unit/libs/graph/testdata/make_golden.py \
        ../shared/datasets/networks > tests/unit/libs/graph/testdata/golden_networkx_igraph.txt

The networks are parsed here with regular expressions, independently of the
C++ readers, and prepared like reference_stats_networkx_3.6.1.json (self-loops
removed, parallel edges collapsed). Output lines:

    <network> <measure> <node key or "-"> <value with 12 significant digits>
"""
import math
import re
import sys

import igraph as ig
import networkx as nx


def load(directory, name):
    text = open(f"{directory}/{name}", encoding="utf-8").read()
    if name.endswith(".gml"):
        graph = nx.DiGraph() if re.search(r"directed\s+1", text) else nx.Graph()
        for m in re.finditer(r"node\s*\[\s*id\s+(\S+)", text):
            graph.add_node(m.group(1))
        for m in re.finditer(r"edge\s*\[[^\]]*?source\s+(\S+)\s+target\s+(\S+)", text):
            graph.add_edge(m.group(1), m.group(2))
    else:  # GEXF
        graph = nx.DiGraph() if 'defaultedgetype="directed"' in text else nx.Graph()
        for m in re.finditer(r'<node id="([^"]+)"', text):
            graph.add_node(m.group(1))
        for m in re.finditer(r'<edge [^>]*?source="([^"]+)" target="([^"]+)"([^>]*)>', text):
            w = re.search(r'weight="([^"]+)"', m.group(3))
            graph.add_edge(m.group(1), m.group(2), weight=float(w.group(1)) if w else 1.0)
    graph.remove_edges_from(list(nx.selfloop_edges(graph)))
    return graph


def emit(network, measure, values, keys=None):
    for key in keys if keys is not None else values:
        print(f"{network} {measure} {key} {values[key]:.12g}")


def main():
    directory = sys.argv[1]
    # Undirected: every node of karate and les_miserables.
    for name in ["karate.gml", "les_miserables.gexf"]:
        g = load(directory, name)
        emit(name, "nx_closeness", nx.closeness_centrality(g))
        emit(name, "nx_harmonic", nx.harmonic_centrality(g))
        emit(name, "nx_betweenness", nx.betweenness_centrality(g, normalized=False))
        emit(name, "nx_pagerank_weighted", nx.pagerank(g))  # weight="weight"
        emit(name, "nx_pagerank_unweighted", nx.pagerank(g, weight=None))
        emit(name, "nx_eigenvector", nx.eigenvector_centrality(g))
        emit(name, "nx_core_number", nx.core_number(g))
        print(f"{name} nx_assortativity - {nx.degree_assortativity_coefficient(g):.12g}")
        h = ig.Graph.from_networkx(g)
        keys = list(g.nodes())
        emit(name, "igraph_harmonic", dict(zip(keys, h.harmonic_centrality(normalized=True))))
        print(f"{name} igraph_avglocal - {h.transitivity_avglocal_undirected():.12g}")
    # Directed: a sample of the Java dependency graph (every node whose key
    # ends in 7) to keep the file small.
    name = "java_dependencies.gexf"
    g = load(directory, name)
    keys = [k for k in g.nodes() if k.endswith("7")]
    emit(name, "nx_closeness", nx.closeness_centrality(g), keys)
    emit(name, "nx_harmonic", nx.harmonic_centrality(g), keys)
    emit(name, "nx_betweenness", nx.betweenness_centrality(g, normalized=False), keys)
    emit(name, "nx_pagerank_unweighted", nx.pagerank(g, weight=None), keys)
    emit(name, "nx_eigenvector", nx.eigenvector_centrality(g, max_iter=1000), keys)
    emit(name, "nx_core_number", nx.core_number(g), keys)
    h = ig.Graph.from_networkx(g)
    all_keys = list(g.nodes())
    closeness = dict(zip(all_keys, h.closeness(mode="out")))
    emit(name, "igraph_closeness_out",
         {k: (v if not math.isnan(v) else float("nan")) for k, v in closeness.items()}, keys)
    print(f"{name} nx_reciprocity - {nx.overall_reciprocity(g):.12g}")
    print(f"{name} nx_assortativity - {nx.degree_assortativity_coefficient(g):.12g}")
    print(f"{name} igraph_avglocal - {h.transitivity_avglocal_undirected():.12g}")


if __name__ == "__main__":
    main()
