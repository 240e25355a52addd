//! `stackcraft graph` on the shipped blueprints: the graph's groups, folding and edges; the
//! text formats; the committed diagrams in docs/diagrams/ are fresh; and each diagram, opened
//! in headless Chromium, has no overlapping boxes or labels.

#[path = "graph/browser.rs"]
mod browser;
mod common;

use stackcraft::core::Assembly;
use stackcraft_graph::{EdgeKind, Format, Graph, Placement, Tier};

/// Each shipped blueprint's diagram: its file in docs/diagrams/, the stacks it draws (a
/// stack brings the stacks it reads from) and the environment it shows: prod, the highly
/// available one, where the blueprint has stacks there (the pipeline's and the certificate's
/// live only in `tooling` and `prod-edge`).
const DIAGRAMS: &[(&str, &str, &str)] = &[
    ("object-counter", "objects", "prod"),
    ("queue-counter", "counter", "prod"),
    ("starter", "access", "prod"),
    ("container-platform", "platform", "prod"),
    ("magento-webshop", "shop", "prod"),
    ("web-app", "web", "prod"),
    ("site-certificate", "web-certificate", "prod-edge"),
    ("web-pipeline", "cicd", "tooling"),
];

/// The assembly of an environment with the stacks named (comma-separated) and those they
/// read from (`""`: all).
fn assembly(env: &str, stacks: &str) -> Assembly {
    let mut assembly = common::synth(&common::shipped_config(), env).unwrap();
    if !stacks.is_empty() {
        let names: Vec<String> = stacks.split(',').map(str::to_owned).collect();
        assembly.select(&names).unwrap();
    }
    assembly
}

fn graph(env: &str, stack: &str) -> Graph {
    stackcraft_graph::graph(&assembly(env, stack))
}

fn placement(g: &Graph, stack: &str, path: &str) -> Placement {
    g.node(stack, path)
        .unwrap_or_else(|| panic!("no node {stack}/{path}"))
        .placement
        .clone()
}

fn edge(g: &Graph, from: (&str, &str), to: (&str, &str)) -> (EdgeKind, Option<String>) {
    let edges = g.edges_between(from, to);
    assert_eq!(edges.len(), 1, "one edge {from:?} → {to:?}: {edges:?}");
    (edges[0].kind, edges[0].label.clone())
}

fn members(g: &Graph, stack: &str, path: &str) -> Vec<String> {
    g.node(stack, path).unwrap().members.clone()
}

#[test]
fn queue_counter_is_grouped_by_vpc_zone_and_tier() {
    let g = graph("prod", "counter");
    assert_eq!(g.vpcs.len(), 1);
    let vpc = &g.vpcs[0];
    assert_eq!(
        vpc.zones.len(),
        3,
        "prod spans three zones: {:?}",
        vpc.zones
    );
    assert_eq!(vpc.tiers(), [Tier::Public, Tier::Private, Tier::Isolated]);
    let all_zones = vec![0, 1, 2];
    let in_tier = |tier| Placement::Subnets {
        vpc: 0,
        tier,
        zones: all_zones.clone(),
    };
    assert_eq!(
        placement(&g, "counter", "LoadBalancer"),
        in_tier(Tier::Public)
    );
    assert_eq!(placement(&g, "counter", "Api"), in_tier(Tier::Private));
    assert_eq!(placement(&g, "counter", "Worker"), in_tier(Tier::Private));
    // Multi-AZ: primary and standby, in two zones of the three; two cache nodes.
    let isolated_in = |zones: Vec<usize>| Placement::Subnets {
        vpc: 0,
        tier: Tier::Isolated,
        zones,
    };
    assert_eq!(placement(&g, "counter", "Queue"), isolated_in(vec![0, 1]));
    assert_eq!(
        placement(&g, "counter", "Database"),
        isolated_in(vec![0, 1])
    );
    for zone in 0..3 {
        let nat = format!("Network/PublicSubnet{}/NatGateway", zone + 1);
        let expected = Placement::Subnets {
            vpc: 0,
            tier: Tier::Public,
            zones: vec![zone],
        };
        assert_eq!(placement(&g, "counter", &nat), expected, "one NAT per zone");
    }
    assert_eq!(
        placement(&g, "counter", "Network/S3Endpoint"),
        Placement::Vpc { vpc: 0 }
    );
    assert_eq!(
        placement(&g, "counter", "Site/Distribution"),
        Placement::Global
    );
    assert_eq!(placement(&g, "counter", "Site/Bucket"), Placement::Region);

    // dev: two zones, one NAT gateway.
    let dev = graph("dev", "counter");
    assert_eq!(dev.vpcs[0].zones.len(), 2);
    let nats = dev
        .nodes
        .iter()
        .filter(|n| n.service.title == "NAT gateway")
        .count();
    assert_eq!(nats, 1);
    // A single instance is drawn once.
    assert_eq!(
        placement(&dev, "counter", "Database"),
        Placement::Subnets {
            vpc: 0,
            tier: Tier::Isolated,
            zones: vec![0]
        }
    );
}

#[test]
fn queue_counter_edges_carry_the_security_group_ports() {
    let g = graph("prod", "counter");
    let network = |from, to| edge(&g, ("counter", from), ("counter", to));
    assert_eq!(
        network("LoadBalancer", "Api"),
        (EdgeKind::Network, Some("TCP 5080".into()))
    );
    for service in ["Api", "Worker"] {
        assert_eq!(
            network(service, "Queue"),
            (EdgeKind::Network, Some("TCP 6379".into()))
        );
        assert_eq!(
            network(service, "Database"),
            (EdgeKind::Network, Some("TCP 3306".into()))
        );
    }
    let internet = g
        .nodes
        .iter()
        .position(|n| n.placement == Placement::Internet);
    let lb = g.owner_of("counter", "LoadBalancer");
    let from_internet = g
        .edges
        .iter()
        .find(|e| Some(e.from) == internet && Some(e.to) == lb)
        .expect("the internet reaches the load balancer");
    assert_eq!(from_internet.label.as_deref(), Some("TCP 443, TCP 80"));
    assert_eq!(
        network("Site/Distribution", "Site/Bucket").0,
        EdgeKind::Reference
    );
    // Nothing but the load balancer reaches the services; nothing reaches the database but
    // the two services.
    let into = |path| {
        let n = g.owner_of("counter", path).unwrap();
        let mut from: Vec<&str> = g
            .edges
            .iter()
            .filter(|e| e.to == n)
            .map(|e| g.nodes[e.from].path.as_str())
            .collect();
        from.sort();
        from
    };
    assert_eq!(into("Api"), ["LoadBalancer"]);
    assert_eq!(into("Database"), ["Api", "Worker"]);
}

#[test]
fn plumbing_folds_into_its_owner() {
    let g = graph("prod", "counter");
    let owner = |id| {
        g.owner_of("counter", id)
            .map(|n| g.nodes[n].path.as_str())
            .unwrap_or("(not drawn)")
    };
    // Children of a construct fold into it.
    assert_eq!(owner("DatabaseSecurityGroup"), "Database");
    assert_eq!(owner("DatabaseSecret"), "Database");
    assert_eq!(owner("DatabaseSubnetGroup"), "Database");
    assert_eq!(owner("LoadBalancerHttpsListener"), "LoadBalancer");
    assert_eq!(owner("LoadBalancerApiTargets"), "LoadBalancer");
    assert_eq!(owner("LoadBalancerElb5xxAlarm"), "LoadBalancer");
    assert_eq!(
        owner("ApiSecurityGroupIngressFromLoadBalancerSecurityGroupPort5080"),
        "Api"
    );
    // A task definition (and its roles and logs) belongs to the service that runs it.
    assert_eq!(owner("ApiTask"), "Api");
    assert_eq!(owner("ApiTaskExecutionRole"), "Api");
    assert_eq!(owner("WorkerTaskLogs"), "Worker");
    // Routes, route tables and flow logs belong to the network, which is drawn as groups.
    assert_eq!(owner("NetworkPrivateSubnet1RouteTable"), "(not drawn)");
    assert_eq!(owner("NetworkFlowLogs"), "(not drawn)");
    assert_eq!(owner("Cluster"), "(not drawn)");
    // No node is plumbing.
    let titles: Vec<&str> = g.nodes.iter().map(|n| n.service.title).collect();
    for plumbing in [
        "IAM role",
        "CloudWatch log group",
        "ECS task definition",
        "KMS key",
    ] {
        assert!(!titles.contains(&plumbing), "{plumbing} drawn: {titles:?}");
    }
}

#[test]
fn object_counter_shows_the_event_chain() {
    let g = graph("prod", "objects");
    let e = |from, to| edge(&g, ("objects", from), ("objects", to));
    assert_eq!(e("Objects", "ObjectEvents").0, EdgeKind::Event);
    assert_eq!(e("ObjectEvents", "Counter").0, EdgeKind::Event);
    assert_eq!(e("Api", "Reader").0, EdgeKind::Event);
    assert_eq!(e("Counter", "Counts").0, EdgeKind::Reference);
    assert_eq!(e("Reader", "Counts").0, EdgeKind::Reference);
    assert!(g.vpcs.is_empty());
    for path in [
        "Objects",
        "ObjectEvents",
        "Counter",
        "Reader",
        "Counts",
        "Api",
    ] {
        assert_eq!(placement(&g, "objects", path), Placement::Region, "{path}");
    }
    let counter = members(&g, "objects", "Counter");
    for folded in ["CounterServiceRole", "CounterLogs", "CounterDeadLetters"] {
        assert!(
            counter.iter().any(|m| m == folded),
            "{folded} in {counter:?}"
        );
    }
    assert!(members(&g, "objects", "ObjectEvents").contains(&"ObjectEventsKey".to_owned()));
    assert!(members(&g, "objects", "Api").contains(&"ApiGetCount".to_owned()));
}

#[test]
fn starter_draws_the_cross_stack_reads() {
    let g = graph("prod", "access");
    let names: Vec<&str> = g.stacks.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        ["data", "access"],
        "the stack brings what it reads from"
    );
    assert_eq!(
        edge(&g, ("access", "Worker"), ("data", "Items")).0,
        EdgeKind::CrossStack
    );
    assert_eq!(
        edge(&g, ("access", "Worker"), ("data", "Uploads")).0,
        EdgeKind::CrossStack
    );
    // The SSM parameters that carry the values are the edges, not nodes.
    let data: Vec<&str> = g
        .nodes
        .iter()
        .filter(|n| n.stack.as_deref() == Some("data"))
        .map(|n| n.path.as_str())
        .collect();
    assert_eq!(data, ["Uploads", "Items"]);
}

#[test]
fn web_pipeline_draws_the_pipeline_using_its_builds() {
    let g = graph("tooling", "cicd");
    let title = |path| g.node("cicd", path).unwrap().service.title;
    assert_eq!(title("Pipeline"), "CodePipeline pipeline");
    assert_eq!(title("BuildApi"), "CodeBuild project");
    assert_eq!(title("PublishSite"), "CodeBuild project");
    // The artifact store and its key are the pipeline's; the image repository is the build's.
    assert!(members(&g, "cicd", "Pipeline").contains(&"PipelineArtifacts".to_owned()));
    assert!(members(&g, "cicd", "BuildApi").contains(&"Images".to_owned()));
    for used in ["BuildApi", "PublishSite", "Approvals"] {
        assert_eq!(
            edge(&g, ("cicd", "Pipeline"), ("cicd", used)).0,
            EdgeKind::Reference
        );
    }
    // The projects name the pipeline's artifact key too: an echo of the pipeline's use, not
    // an edge (it would make a cycle, and the pipeline would not stand first).
    assert!(g
        .edges_between(("cicd", "BuildApi"), ("cicd", "Pipeline"))
        .is_empty());
}

#[test]
fn text_formats_declare_every_node_and_group_once() {
    let g = graph("prod", "counter");
    let mermaid = stackcraft_graph::render(&g, Format::Mermaid);
    let dot = stackcraft_graph::render(&g, Format::Dot);
    assert!(mermaid.starts_with("flowchart LR\n"));
    assert!(dot.starts_with("digraph architecture {"));
    let lines = |f: fn(&str) -> bool| mermaid.lines().map(str::trim).filter(|l| f(l)).count();
    assert_eq!(lines(|l| l.starts_with("subgraph ")), lines(|l| l == "end"));
    assert_eq!(dot.matches('{').count(), dot.matches('}').count());
    assert!(mermaid.contains("-->|\"TCP 3306\"|"));
    assert!(dot.contains("label=\"TCP 3306\""));
    for node in &g.nodes {
        let id = format!(
            "n_{}",
            node.id.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
        );
        assert_eq!(
            mermaid.matches(&format!("{id}[")).count(),
            1,
            "{id} in Mermaid"
        );
        assert_eq!(
            dot.matches(&format!("{id} [label")).count(),
            1,
            "{id} in DOT"
        );
    }
    assert!(mermaid.contains("subgraph stack_counter_vpc0_public_zone3"));
    assert!(dot.contains("subgraph cluster_stack_counter_vpc0_public"));
}

/// The committed diagrams are what the code draws now; `UPDATE_DIAGRAMS=1` rewrites them
/// (scripts/diagrams.sh does, and renders their PNG screenshots).
#[test]
fn committed_diagrams_are_fresh() {
    let dir = common::repo_root().join("docs/diagrams");
    let update = std::env::var_os("UPDATE_DIAGRAMS").is_some();
    let mut stale = Vec::new();
    for &(name, stack, env) in DIAGRAMS {
        let svg = stackcraft_graph::diagram(&assembly(env, stack), Format::Svg);
        let again = stackcraft_graph::diagram(&assembly(env, stack), Format::Svg);
        assert_eq!(svg, again, "{name}: two runs draw the same bytes");
        let file = dir.join(format!("{name}.svg"));
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&file, &svg).unwrap();
        }
        if std::fs::read_to_string(&file).unwrap_or_default() != svg {
            stale.push(file.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "diagrams differ from the code (run scripts/diagrams.sh):\n{}",
        stale.join("\n")
    );
}

#[test]
fn every_node_of_the_whole_environment_is_the_resource_it_names() {
    let g = graph("prod", "");
    assert_eq!(g.stacks.len(), 7);
    for (n, node) in g.nodes.iter().enumerate() {
        let (Some(stack), Some(id)) = (&node.stack, &node.logical_id) else {
            continue;
        };
        assert_eq!(
            node.members.first(),
            Some(id),
            "{} owns itself first",
            node.id
        );
        assert_eq!(
            g.owner_of(stack, id),
            Some(n),
            "{} is found by its id",
            node.id
        );
    }
    assert_eq!(
        g.node("objects", "Counter").unwrap().service.title,
        "Lambda function"
    );
    assert_eq!(
        g.node("counter", "Database").unwrap().service.title,
        "RDS database"
    );
}

/// Each diagram in the environment it shows and in the first environment of the file it
/// lives in (the cheapest: fewer zones, no domains), and every environment as a whole.
#[test]
fn blueprint_diagrams_have_no_overlaps_in_chromium() {
    let config = common::shipped_config();
    let environments = common::environments(&config);
    let mut drawings: Vec<(&str, &str, &str)> = Vec::new();
    for &(name, stack, env) in DIAGRAMS {
        let first = environments
            .iter()
            .find(|e| assembly(e, "").stack(stack).is_some())
            .unwrap_or_else(|| panic!("{name}: no environment has stack {stack}"));
        drawings.push((name, stack, first));
        if first != env {
            drawings.push((name, stack, env));
        }
    }
    drawings.extend(environments.iter().map(|e| ("every stack", "", e.as_str())));
    // Every drawing is measured before failing, so one run shows all that overlaps.
    let mut failures = Vec::new();
    for (name, stack, env) in drawings {
        let svg = stackcraft_graph::diagram(&assembly(env, stack), Format::Svg);
        let report = browser::measure(&svg);
        // Every node box measured, with its two lines (so the page really measured it).
        let drawn = svg.matches("class=\"node-box\"").count();
        if drawn == 0 || report.boxes != drawn || report.labels < 2 * drawn {
            failures.push(format!(
                "{name} ({env}): {drawn} node boxes drawn, measured {} boxes and {} labels",
                report.boxes, report.labels
            ));
        }
        if !report.problems.is_empty() {
            failures.push(format!(
                "{name} ({env}) overlaps in Chromium:\n{}",
                report.problems.join("\n")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_overlap_check_catches_overlapping_boxes_and_labels() {
    let report = browser::measure(include_str!("graph/overlapping.svg"));
    let all = report.problems.join("\n");
    assert!(all.contains("box Api overlaps box Worker"), "{all}");
    assert!(
        all.contains("label \"Api\" overlaps label \"Worker\""),
        "{all}"
    );
    assert!(all.contains("label \"TCP 5080\" overlaps box"), "{all}");
    assert!(all.contains("cross"), "groups that cross: {all}");
}

#[test]
fn the_command_writes_each_format_and_names_bad_input() {
    let dir = common::project(&common::shipped_config());
    let run = common::stackcraft(
        dir.path(),
        &["graph", "objects", "--env", "dev", "--format", "mermaid"],
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(String::from_utf8_lossy(&run.stdout).starts_with("flowchart LR\n"));

    let run = common::stackcraft(
        dir.path(),
        &["graph", "access", "--env", "dev", "--out", "access.svg"],
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(run.stdout.is_empty(), "--out writes the file, not stdout");
    let svg = std::fs::read_to_string(dir.path().join("access.svg")).unwrap();
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(
        !svg.contains("<script") && !svg.contains("href="),
        "self-contained"
    );

    let run = common::stackcraft(dir.path(), &["graph", "nowhere", "--env", "dev"]);
    assert_eq!(run.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&run.stderr).contains("unknown stack \"nowhere\""));
    let run = common::stackcraft(dir.path(), &["graph", "--format", "png"]);
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("invalid value 'png' for '--format <FORMAT>'")
            && stderr.contains("For more information, try '--help'."),
        "a usage error, not a configuration error: {stderr}"
    );
}
