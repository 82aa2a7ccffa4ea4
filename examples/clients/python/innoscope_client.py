#!/usr/bin/python3
"""An Innoscope client in Python, outside C++: stubs generated from proto/ at
build time (<build>/python), Debian's python3-grpcio and python3-protobuf.

It imports a small framework (two indicators under one index) and the
observations of six regions for 2021 and 2022, shows the machine-readable
error of a bad batch (google.rpc.BadRequest), asks scoring for a run of
each period, reads the 2022 ranking page by page, and prints the top 5 and
the rank changes since 2021.

  PYTHONPATH=build/python examples/clients/python/innoscope_client.py \
      --ingest 127.0.0.1:50051 --scoring 127.0.0.1:50053

Addresses default to INNOSCOPE_INGEST_ADDRESS / INNOSCOPE_SCORING_ADDRESS
(the keys of the local stack's addresses.env). Against servers with TLS:
--ca_file (the CA's PEM; INNOSCOPE_CA_FILE), optionally --cert_file and
--key_file for a client certificate, and --token (INNOSCOPE_TOKEN) sent as
`authorization: Bearer <token>` on every call. The data and the expected
output: examples/clients/README.md.
"""

import argparse
import os
import sys

import grpc
from google.rpc import error_details_pb2, status_pb2
from innoscope.ingest.v1 import ingest_pb2, ingest_pb2_grpc
from innoscope.scoring.v1 import scoring_pb2, scoring_pb2_grpc

FRAMEWORK = "api_client_example"
# (region, indicator a, indicator b) per period; examples/clients/README.md
# works the scores out by hand.
OBSERVATIONS = {
    2021: [("EX1", 90, 80), ("EX2", 100, 40), ("EX3", 60, 100),
           ("EX4", 30, 50), ("EX5", 0, 60), ("EX6", 50, 0)],
    2022: [("EX1", 70, 60), ("EX2", 100, 90), ("EX3", 40, 100),
           ("EX4", 80, 40), ("EX5", 0, 20), ("EX6", 50, 0)],
}
DEADLINE = 60  # seconds per call


def bad_request_of(error):
    """The google.rpc.BadRequest field violations of a failed call, from the
    grpc-status-details-bin trailer (a google.rpc.Status)."""
    for key, value in error.trailing_metadata() or ():
        if key != "grpc-status-details-bin":
            continue
        status = status_pb2.Status.FromString(value)
        for detail in status.details:
            bad = error_details_pb2.BadRequest()
            if detail.Unpack(bad):
                return [(v.field, v.description) for v in bad.field_violations]
    return []


def channel(address, args):
    """Plaintext, or TLS with the given CA (and client certificate); a bearer
    token rides on every call."""
    if not args.ca_file:
        if args.token:
            raise SystemExit("--token needs TLS (--ca_file)")
        return grpc.insecure_channel(address)
    with open(args.ca_file, "rb") as f:
        roots = f.read()
    key = cert = None
    if args.cert_file:
        with open(args.cert_file, "rb") as f:
            cert = f.read()
        with open(args.key_file, "rb") as f:
            key = f.read()
    credentials = grpc.ssl_channel_credentials(roots, key, cert)
    if args.token:
        credentials = grpc.composite_channel_credentials(
            credentials, grpc.access_token_call_credentials(args.token))
    return grpc.secure_channel(address, credentials)


def import_data(ingest):
    ingest.UpsertRegions(ingest_pb2.UpsertRegionsRequest(regions=[
        ingest_pb2.Region(code="EX%d" % i, name="Example region %d" % i,
                          kind=ingest_pb2.REGION_KIND_CUSTOM) for i in range(1, 7)]),
        timeout=DEADLINE)
    framework = ingest_pb2.CreateFrameworkRequest(
        code=FRAMEWORK, name="API client example",
        indicators=[ingest_pb2.Indicator(code="ex_a", name="Indicator a"),
                    ingest_pb2.Indicator(code="ex_b", name="Indicator b")],
        nodes=[ingest_pb2.FrameworkNode(code="ex_index", name="Index", level=2, direction=1),
               ingest_pb2.FrameworkNode(code="ex_a", name="Indicator a", parent_code="ex_index",
                                        level=1, direction=1, weight=1),
               ingest_pb2.FrameworkNode(code="ex_b", name="Indicator b", parent_code="ex_index",
                                        level=1, direction=1, weight=1)])
    created = ingest.CreateFramework(framework, timeout=DEADLINE)
    print("framework %s v%d" % (created.framework.code, created.framework.version))

    # A bad batch first: rejected as a whole, with the row and field named
    # in a structured detail a program can act on.
    bad = ingest_pb2.WriteObservationsRequest(batch_id="api-client-bad", observations=[
        ingest_pb2.Observation(region_code="EX1", indicator_code="ex_a", period=2021, value=1),
        ingest_pb2.Observation(region_code="XX", indicator_code="ex_a", period=2021, value=1)])
    try:
        for _ in ingest.WriteObservations(iter([bad]), timeout=DEADLINE):
            pass
        raise SystemExit("the bad batch was accepted")
    except grpc.RpcError as error:
        print("bad batch: %s" % error.code().name)
        for field, description in bad_request_of(error):
            print("  %s: %s" % (field, description))

    batches = []
    for period, rows in sorted(OBSERVATIONS.items()):
        observations = []
        for region, a, b in rows:
            observations.append(ingest_pb2.Observation(
                region_code=region, indicator_code="ex_a", period=period, value=a))
            observations.append(ingest_pb2.Observation(
                region_code=region, indicator_code="ex_b", period=period, value=b))
        batches.append(ingest_pb2.WriteObservationsRequest(
            batch_id="api-client-%d" % period, observations=observations,
            source="examples/clients"))
    for response in ingest.WriteObservations(iter(batches), timeout=DEADLINE):
        print("batch %s: %d observations" % (
            response.batch_id, response.summary.inserted + response.summary.revised +
            response.summary.unchanged))


def ranking_pages(scoring, run_id, page_size):
    """Every entry of a run's composite ranking, one page at a time."""
    request = scoring_pb2.GetRankingRequest(run_id=run_id)
    request.page.page_size = page_size
    pages = 0
    while True:
        response = scoring.GetRanking(request, timeout=DEADLINE)
        pages += 1
        yield from response.entries
        if not response.page.next_page_token:
            break
        request.page.page_token = response.page.next_page_token
    print("ranking read in %d pages of %d" % (pages, page_size))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ingest", default=os.environ.get("INNOSCOPE_INGEST_ADDRESS"))
    parser.add_argument("--scoring", default=os.environ.get("INNOSCOPE_SCORING_ADDRESS"))
    parser.add_argument("--ca_file", default=os.environ.get("INNOSCOPE_CA_FILE"))
    parser.add_argument("--cert_file")
    parser.add_argument("--key_file")
    parser.add_argument("--token", default=os.environ.get("INNOSCOPE_TOKEN"))
    args = parser.parse_args()
    if not args.ingest or not args.scoring:
        parser.error("give --ingest and --scoring (or INNOSCOPE_*_ADDRESS)")
    ingest = ingest_pb2_grpc.IngestServiceStub(channel(args.ingest, args))
    scoring = scoring_pb2_grpc.ScoringServiceStub(channel(args.scoring, args))

    import_data(ingest)
    spec = scoring_pb2.RunSpec()
    spec.framework.code = FRAMEWORK
    computed = scoring.ComputeScores(
        scoring_pb2.ComputeScoresRequest(spec=spec, periods=[2021, 2022]), timeout=DEADLINE)
    runs = {c.run.spec.period: c.run.id for c in computed.runs}
    print("runs: %s" % ", ".join("%d" % p for p in sorted(runs)))

    entries = list(ranking_pages(scoring, runs[2022], page_size=2))
    print("top 5 of 2022:")
    for entry in entries[:5]:
        print("  %d %s %.2f" % (entry.rank, entry.region_code, entry.score))

    changes = scoring.CompareRuns(scoring_pb2.CompareRunsRequest(
        run_id=runs[2022], previous_run_id=runs[2021]), timeout=DEADLINE)
    print("rank changes %d -> %d:" % (changes.previous_period, changes.period))
    for change in changes.changes:
        print("  %s %d -> %d (%+d)" % (change.region_code, change.previous_rank,
                                       change.current_rank, change.rank_change))
    return 0


if __name__ == "__main__":
    sys.exit(main())
