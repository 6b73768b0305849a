//! Every statement of the language, lowered to the spec it stands for.

use replication_dsl::parse_suite;
use replication_model::spec::*;

/// A scenario that uses every statement and setting (it does not need to be valid, only to
/// parse: semantic checks are the model's).
pub const KITCHEN_SINK: &str = include_str!("../kitchen_sink.scenario");

fn sink() -> ScenarioSpec {
    let mut specs = parse_suite("sink.scenario", KITCHEN_SINK).unwrap_or_else(|d| {
        panic!(
            "the kitchen sink does not parse:\n{}",
            d.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    assert_eq!(specs.len(), 1);
    specs.remove(0)
}

#[test]
fn scenario_header() {
    let s = sink();
    assert_eq!(s.name, "kitchen_sink");
    assert_eq!(s.doc, "Every statement of the language.\nSecond doc line.");
    assert_eq!(s.rule_set, RuleSetName::Aws2026);
}

#[test]
fn accounts() {
    let s = sink();
    assert_eq!(
        s.accounts,
        vec![
            AccountSpec {
                name: "prod".into(),
                id: "111122223333".into(),
                org_id: Some("o-a1b2c3d4e5".into())
            },
            AccountSpec {
                name: "partner".into(),
                id: "444455556666".into(),
                org_id: None
            },
        ]
    );
}

#[test]
fn keys() {
    let s = sink();
    let src = &s.keys[0];
    assert_eq!(
        src.kind,
        KeyKind::SingleRegion {
            account: "prod".into(),
            region: "us-east-1".into()
        }
    );
    assert_eq!(src.initial_state, InitialKeyState::Disabled);
    assert_eq!(
        src.key_id.as_deref(),
        Some("1234abcd-12ab-34cd-56ef-1234567890ab")
    );
    assert_eq!(src.aliases, ["replication-source", "second"]);
    assert_eq!(
        src.grants,
        vec![GrantSpec {
            grantee: PrincipalRef::Role("replicator".into()),
            operations: vec!["Decrypt".into(), "Encrypt".into()],
            encryption_context_subset: vec![("aws:s3:arn".into(), "arn:aws:s3:::source".into())],
        }]
    );
    let Some(PolicySpec::Statements(stmts)) = &src.policy else {
        panic!("statement policy")
    };
    assert_eq!(
        stmts[0],
        StatementSpec {
            sid: Some("Root".into()),
            effect: Effect::Allow,
            principals: vec![PrincipalRef::Account("prod".into())],
            actions: vec!["kms:*".into()],
            not_action: false,
            resources: vec![],
            conditions: vec![],
        }
    );
    assert_eq!(stmts[1].effect, Effect::Deny);
    assert!(stmts[1].not_action);
    assert_eq!(
        stmts[1].principals,
        vec![
            PrincipalRef::Role("replicator".into()),
            PrincipalRef::Arn("arn:aws:iam::444455556666:root".into()),
            PrincipalRef::Anyone
        ]
    );
    assert_eq!(
        stmts[1].conditions,
        vec![
            ConditionSpec {
                operator: "StringEquals".into(),
                key: "kms:ViaService".into(),
                values: vec!["s3.us-east-1.amazonaws.com".into()]
            },
            ConditionSpec {
                operator: "ForAnyValue:StringLike".into(),
                key: "kms:EncryptionContextKeys".into(),
                values: vec!["aws:s3:arn".into(), "x".into()]
            },
        ]
    );
    assert_eq!(
        s.keys[1].kind,
        KeyKind::MultiRegionPrimary {
            account: "prod".into(),
            region: "us-east-1".into()
        }
    );
    assert_eq!(
        s.keys[2].kind,
        KeyKind::MultiRegionReplica {
            primary: "mrk".into(),
            region: "eu-west-1".into()
        }
    );
    assert_eq!(s.keys[2].initial_state, InitialKeyState::Creating);
    assert_eq!(
        s.keys[3].kind,
        KeyKind::AwsManagedS3 {
            account: "prod".into(),
            region: "us-east-1".into()
        }
    );
}

#[test]
fn buckets() {
    let s = sink();
    let source = &s.buckets[0];
    assert_eq!(source.s3_name.as_deref(), Some("acme.source"));
    assert_eq!(source.versioning, Versioning::Enabled);
    assert_eq!(
        source.default_encryption,
        Some(DefaultEncryption::SseKms {
            key: KeyRef::Named("src_key".into())
        })
    );
    assert!(source.bucket_key);
    assert_eq!(source.block_sse_c, Some(false));
    assert!(source.object_lock);
    assert!(!source.requester_pays);
    assert_eq!(
        source.policy,
        Some(PolicySpec::Json(
            r#"{"Version": "2012-10-17", "Statement": []}"#.into()
        ))
    );
    let target = &s.buckets[1];
    assert_eq!(target.account, "partner");
    assert_eq!(target.versioning, Versioning::Suspended);
    assert_eq!(
        target.default_encryption,
        Some(DefaultEncryption::DsseKms {
            key: KeyRef::AwsManagedS3
        })
    );
    let Some(PolicySpec::Statements(stmts)) = &target.policy else {
        panic!("statement policy")
    };
    assert_eq!(
        stmts[0].resources,
        vec![ResourceRef::Objects {
            bucket: "target".into(),
            pattern: "*".into()
        }]
    );
    let plain = &s.buckets[2];
    assert_eq!(plain.versioning, Versioning::Unversioned);
    assert_eq!(plain.default_encryption, Some(DefaultEncryption::SseS3));
    assert_eq!(plain.block_sse_c, None);
}

#[test]
fn roles() {
    let s = sink();
    let r = &s.roles[0];
    assert_eq!(r.role_name.as_deref(), Some("s3-crr-replicator"));
    assert_eq!(r.path.as_deref(), Some("/service-role/"));
    let PolicySpec::Statements(trust) = &r.trust else {
        panic!("statement trust")
    };
    assert_eq!(trust[0].actions, ["sts:AssumeRole"]);
    assert_eq!(
        trust[0].principals,
        vec![
            PrincipalRef::Service("s3.amazonaws.com".into()),
            PrincipalRef::Service("batchoperations.s3.amazonaws.com".into()),
            PrincipalRef::Service("lambda.amazonaws.com".into()),
        ]
    );
    let names: Vec<&str> = r.policies.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["inline", "extra", "from json"]);
    let PolicySpec::Statements(inline) = &r.policies[0].policy else {
        panic!("inline statements")
    };
    assert_eq!(inline[0].actions, ["s3:Get*", "s3:ListBucket"]);
    assert_eq!(
        inline[0].resources,
        vec![
            ResourceRef::Bucket("source".into()),
            ResourceRef::Objects {
                bucket: "source".into(),
                pattern: "*".into()
            }
        ]
    );
    assert_eq!(
        inline[1].resources,
        vec![ResourceRef::Key("src_key".into())]
    );
    let PolicySpec::Statements(other_trust) = &s.roles[1].trust else {
        panic!("statement trust")
    };
    assert_eq!(
        other_trust[0].principals,
        vec![PrincipalRef::Service("s3.amazonaws.com".into())]
    );
}

#[test]
fn replication_rules() {
    let s = sink();
    let Step::PutBucketReplication(r) = &s.steps[0] else {
        panic!("replication first")
    };
    assert_eq!(r.role, RoleRef::Named("replicator".into()));
    let to_eu = &r.rules[0];
    assert_eq!(
        *to_eu,
        RuleSpec {
            id: Some("to_eu".into()),
            priority: Some(2),
            status: Status::Enabled,
            filter: FilterSpec::And {
                prefix: Some("reports/".into()),
                tags: vec![
                    ("env".into(), "prod".into()),
                    ("team".into(), "data".into())
                ]
            },
            delete_marker_replication: Some(Status::Disabled),
            destination: DestinationSpec {
                bucket: BucketRef::Named("target".into()),
                account: Some("partner".into()),
                storage_class: Some("STANDARD_IA".into()),
                owner_override: true,
                replica_kms_key: Some(KeyRef::Arn(
                    "arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"
                        .into()
                )),
                replication_time: Some(ReplicationTime {
                    status: Status::Enabled,
                    minutes: 15
                }),
                metrics: Some(Metrics {
                    status: Status::Enabled,
                    event_threshold_minutes: Some(15)
                }),
            },
            sse_kms_encrypted_objects: Some(Status::Enabled),
            replica_modifications: Some(Status::Disabled),
        }
    );
    let second = &r.rules[1];
    assert_eq!(second.id, None);
    assert_eq!(second.filter, FilterSpec::V1Prefix("logs/".into()));
    assert_eq!(
        second.destination.bucket,
        BucketRef::Arn("arn:aws:s3:::elsewhere".into())
    );
    assert_eq!(
        second.destination.metrics,
        Some(Metrics {
            status: Status::Enabled,
            event_threshold_minutes: None
        })
    );
    let third = &r.rules[2];
    assert_eq!(third.id.as_deref(), Some("third"));
    assert_eq!(third.filter, FilterSpec::Tag("k".into(), "v".into()));
    assert_eq!(
        third.destination.replication_time,
        Some(ReplicationTime {
            status: Status::Disabled,
            minutes: 15
        })
    );
    assert_eq!(
        third.destination.metrics,
        Some(Metrics {
            status: Status::Disabled,
            event_threshold_minutes: None
        })
    );
    assert_eq!(
        third.destination.replica_kms_key,
        Some(KeyRef::AwsManagedS3)
    );
    assert_eq!(r.rules[3].filter, FilterSpec::Empty);
    assert_eq!(r.rules[3].status, Status::Disabled);
    let Step::PutBucketReplication(r2) = &s.steps[1] else {
        panic!("second replication")
    };
    assert_eq!(
        r2.role,
        RoleRef::Arn("arn:aws:iam::111122223333:role/elsewhere".into())
    );
    assert_eq!(r2.rules[0].delete_marker_replication, Some(Status::Enabled));
}

#[test]
fn uploads() {
    let s = sink();
    let puts: Vec<&PutObjectSpec> = s
        .steps
        .iter()
        .filter_map(|st| match st {
            Step::PutObject(p) => Some(p),
            _ => None,
        })
        .collect();
    assert_eq!(puts[0].body, Body::Size(4096));
    assert_eq!(puts[0].encryption, None);
    assert_eq!(puts[1].body, Body::Size(4096));
    assert_eq!(puts[1].encryption, Some(UploadEncryption::SseS3));
    assert_eq!(puts[2].body, Body::Size(10));
    assert_eq!(
        puts[2].encryption,
        Some(UploadEncryption::SseKms {
            key: None,
            bucket_key: None
        })
    );
    assert_eq!(puts[3].body, Body::Size(1024));
    assert_eq!(
        puts[3].encryption,
        Some(UploadEncryption::SseKms {
            key: None,
            bucket_key: Some(false)
        })
    );
    let d = puts[4];
    assert_eq!(d.body, Body::Size(1 << 20));
    assert_eq!(
        d.encryption,
        Some(UploadEncryption::SseKms {
            key: Some(KeyRef::Named("src_key".into())),
            bucket_key: Some(true)
        })
    );
    assert_eq!(
        d.tags,
        vec![
            ("env".into(), "prod".into()),
            ("cost center".into(), "42".into())
        ]
    );
    assert_eq!(d.storage_class.as_deref(), Some("GLACIER"));
    assert_eq!(
        d.owner,
        Some(ObjectOwner {
            account: "partner".into(),
            grants_bucket_owner_read: true
        })
    );
    assert_eq!(puts[5].body, Body::Text("hello".into()));
    assert_eq!(
        puts[5].encryption,
        Some(UploadEncryption::DsseKms {
            key: Some(KeyRef::Named("mrk".into()))
        })
    );
    assert_eq!(
        puts[5].owner,
        Some(ObjectOwner {
            account: "partner".into(),
            grants_bucket_owner_read: false
        })
    );
    assert_eq!(puts[6].body, Body::Size(2_000_000_000));
    assert_eq!(
        puts[6].encryption,
        Some(UploadEncryption::SseC {
            customer_key: "customer_key".into()
        })
    );
    assert_eq!(puts[7].body, Body::Size(3_000_000));
}

#[test]
fn other_steps_and_faults() {
    let s = sink();
    let rest: Vec<&Step> = s
        .steps
        .iter()
        .filter(|st| {
            !matches!(
                st,
                Step::PutObject(_) | Step::PutBucketReplication(_) | Step::Expect { .. }
            )
        })
        .collect();
    let expected = vec![
        Step::DeleteObject {
            bucket: "source".into(),
            key: "a".into(),
            version: None,
        },
        Step::DeleteObject {
            bucket: "source".into(),
            key: "a".into(),
            version: Some(1),
        },
        Step::PutObjectTagging {
            bucket: "source".into(),
            key: "b".into(),
            tags: vec![("env".into(), "dev".into())],
        },
        Step::Replicate,
        Step::BatchReplicate {
            bucket: "source".into(),
            statuses: vec![
                BatchStatus::Failed,
                BatchStatus::None,
                BatchStatus::Completed,
                BatchStatus::Replica,
            ],
        },
        Step::BatchReplicate {
            bucket: "source".into(),
            statuses: vec![BatchStatus::Failed],
        },
        Step::Wait { seconds: 960 },
        Step::Wait { seconds: 30 },
        Step::Fault(Fault::DisableKey("src_key".into())),
        Step::Fault(Fault::EnableKey("src_key".into())),
        Step::Fault(Fault::ScheduleKeyDeletion {
            key: "src_key".into(),
            pending_days: 7,
        }),
        Step::Fault(Fault::CancelKeyDeletion("src_key".into())),
        Step::Fault(Fault::DeleteKeyMaterial("src_key".into())),
        Step::Fault(Fault::RevokeStatement {
            policy: PolicyTarget::Role {
                role: "replicator".into(),
                policy: "extra".into(),
            },
            statement: StatementSelector::Index(0),
        }),
        Step::Fault(Fault::RevokeStatement {
            policy: PolicyTarget::RoleTrust("replicator".into()),
            statement: StatementSelector::Sid("Sid".into()),
        }),
        Step::Fault(Fault::RevokeStatement {
            policy: PolicyTarget::Bucket("source".into()),
            statement: StatementSelector::Sid("Root".into()),
        }),
        Step::Fault(Fault::AddStatement {
            policy: PolicyTarget::Key("src_key".into()),
            statement: StatementSpec {
                sid: None,
                effect: Effect::Allow,
                principals: vec![PrincipalRef::Role("replicator".into())],
                actions: vec!["kms:Decrypt".into()],
                not_action: false,
                resources: vec![],
                conditions: vec![],
            },
        }),
        Step::Fault(Fault::AddStatement {
            policy: PolicyTarget::Role {
                role: "replicator".into(),
                policy: "extra".into(),
            },
            statement: StatementSpec {
                sid: Some("Late".into()),
                effect: Effect::Deny,
                principals: vec![],
                actions: vec!["s3:*".into()],
                not_action: false,
                resources: vec![ResourceRef::Any],
                conditions: vec![],
            },
        }),
        Step::Fault(Fault::SetBucketVersioning {
            bucket: "target".into(),
            versioning: Versioning::Enabled,
        }),
        Step::Fault(Fault::RegionUnavailable("eu-west-1".into())),
        Step::Fault(Fault::RegionAvailable("eu-west-1".into())),
        Step::Fault(Fault::ThrottleKms {
            region: "us-east-1".into(),
            on: true,
        }),
        Step::Fault(Fault::ThrottleKms {
            region: "us-east-1".into(),
            on: false,
        }),
        Step::Fault(Fault::BlockSseC {
            bucket: "target".into(),
            blocked: true,
        }),
    ];
    assert_eq!(rest.into_iter().cloned().collect::<Vec<_>>(), expected);
}

/// Every `expect` step carries the line and 1-based column of its `expect` keyword, so a failed
/// one can be found in the file; the spec's other steps carry no location.
#[test]
fn expect_steps_carry_where_they_were_written() {
    let written: Vec<SourceLocation> = KITCHEN_SINK
        .lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let column = line.find("expect ")?;
            line[..column].trim().is_empty().then(|| SourceLocation {
                line: u32::try_from(i + 1).unwrap(),
                column: u32::try_from(column + 1).unwrap(),
            })
        })
        .collect();
    let lowered: Vec<Option<SourceLocation>> = sink()
        .steps
        .iter()
        .filter_map(|st| match st {
            Step::Expect { at, .. } => Some(*at),
            _ => None,
        })
        .collect();
    assert!(written.len() > 10, "{written:?}");
    assert_eq!(lowered, written.into_iter().map(Some).collect::<Vec<_>>());
}

#[test]
fn expectations() {
    let s = sink();
    let expects: Vec<&Expectation> = s
        .steps
        .iter()
        .filter_map(|st| match st {
            Step::Expect { expectation, .. } => Some(expectation),
            _ => None,
        })
        .collect();
    let object = |bucket: &str, key: &str| ObjectExpectation {
        bucket: bucket.into(),
        key: key.into(),
        version: None,
        status: None,
        reason: None,
        encryption: None,
    };
    let expected = vec![
        Expectation::Config {
            bucket: "source".into(),
            verdict: ExpectedVerdict::Accepted,
        },
        Expectation::Config {
            bucket: "plain".into(),
            verdict: ExpectedVerdict::Rejected {
                code: "InvalidRequest".into(),
            },
        },
        Expectation::PutRejected {
            bucket: "source".into(),
            key: "f".into(),
            code: "AccessDenied".into(),
        },
        Expectation::PutRejected {
            bucket: "source".into(),
            key: "g".into(),
            code: "KMS.DisabledException".into(),
        },
        Expectation::PutRejected {
            bucket: "source".into(),
            key: "h".into(),
            code: "KMS.KMSInvalidStateException".into(),
        },
        Expectation::Object(ObjectExpectation {
            status: Some(ExpectedStatus::Completed),
            ..object("source", "reports/q1.csv")
        }),
        Expectation::Object(ObjectExpectation {
            version: Some(2),
            status: Some(ExpectedStatus::DeleteMarker),
            ..object("source", "a")
        }),
        Expectation::Object(ObjectExpectation {
            status: Some(ExpectedStatus::Replica),
            encryption: Some(ExpectedEncryption::SseKms {
                key: Some(KeyRef::Named("src_key".into())),
                bucket_key: Some(false),
            }),
            ..object("target", "reports/q1.csv")
        }),
        Expectation::Object(ObjectExpectation {
            status: Some(ExpectedStatus::Failed),
            reason: Some(FailureReason::DstKmsKeyInvalidState),
            ..object("source", "x")
        }),
        Expectation::Object(ObjectExpectation {
            status: Some(ExpectedStatus::Failed),
            reason: Some(FailureReason::SrcGetObjectNotPermitted),
            encryption: Some(ExpectedEncryption::DsseKms { key: None }),
            ..object("source", "y")
        }),
        Expectation::Object(ObjectExpectation {
            reason: Some(FailureReason::DstPutObjectNotPermitted),
            ..object("source", "z")
        }),
        Expectation::Object(ObjectExpectation {
            status: Some(ExpectedStatus::NotReplicated),
            encryption: Some(ExpectedEncryption::SseC {
                customer_key: "customer_key".into(),
            }),
            ..object("source", "f")
        }),
        Expectation::Object(ObjectExpectation {
            status: Some(ExpectedStatus::Absent),
            ..object("target", "g")
        }),
        Expectation::Object(ObjectExpectation {
            status: Some(ExpectedStatus::Pending),
            encryption: Some(ExpectedEncryption::SseS3),
            ..object("source", "h")
        }),
        Expectation::Metric {
            bucket: "source".into(),
            rule: "to_eu".into(),
            metric: MetricName::OperationsFailedReplication,
            value: 1,
        },
        Expectation::Event {
            bucket: "source".into(),
            rule: "to_eu".into(),
            event: EventName::OperationFailedReplication,
            reason: Some(FailureReason::DstKmsKeyInvalidState),
            count: 2,
        },
        Expectation::Event {
            bucket: "source".into(),
            rule: "to_eu".into(),
            event: EventName::OperationMissedThreshold,
            reason: None,
            count: 0,
        },
    ];
    assert_eq!(expects.into_iter().cloned().collect::<Vec<_>>(), expected);
}

#[test]
fn json_file_policies_are_read_next_to_the_scenario_file() {
    let dir =
        std::env::temp_dir().join(format!("replication-dsl-json-file-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("policies")).unwrap();
    let doc = r#"{"Version": "2012-10-17", "Statement": []}"#;
    std::fs::write(dir.join("policies/bucket.json"), doc).unwrap();
    let label = dir.join("suite.scenario");
    let text = r#"
        /// A policy from a file.
        from_file {
            account prod = 111122223333;
            bucket source = s3(prod, "us-east-1") { policy: json_file "policies/bucket.json" };
            bucket missing = s3(prod, "us-east-1") { policy: json_file "policies/none.json" };
        }
    "#;
    let errors = parse_suite(&label.to_string_lossy(), text).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].line, 6);
    assert_eq!(
        errors[0].message,
        "cannot read policy file `policies/none.json` (no such file); the path is relative to the scenario file's directory"
    );
    let ok_text = text.replace(
        r#"bucket missing = s3(prod, "us-east-1") { policy: json_file "policies/none.json" };"#,
        "",
    );
    let specs = parse_suite(&label.to_string_lossy(), &ok_text).unwrap();
    assert_eq!(
        specs[0].buckets[0].policy,
        Some(PolicySpec::Json(doc.into()))
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn several_scenarios_in_one_file() {
    let specs = parse_suite(
        "two.scenario",
        "/// One.\n one { account a = 111122223333; }\n/// Two.\n two { account b = 444455556666; }\n",
    )
    .unwrap();
    let names: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["one", "two"]);
    assert_eq!(specs[1].doc, "Two.");
}

#[test]
fn an_empty_file_holds_no_scenarios() {
    assert_eq!(
        parse_suite("empty.scenario", "  // only a comment\n").unwrap(),
        vec![]
    );
}

#[test]
fn real_names_ids_and_paths_lower_as_written() {
    let text = r#"
        /// Real names.
        real {
            account prod = 111122223333;
            key k = kms(prod, "us-east-1") { id: "1234abcd-12ab-34cd-56ef-1234567890ab", alias: "alias/prod-data" };
            bucket source = s3(prod, "us-east-1") { name: "acme.prod-data", versioning };
            role a = iam(prod) { name: "s3-crr-prod-data", path: "/service-role/" };
            role b = iam(prod) {
                path: "/service-role/";
                name: "s3-crr-other";
                trust s3;
            };
            role c = iam(prod) { trust s3; };
        }
    "#;
    let specs = parse_suite("real.scenario", text).unwrap();
    let spec = &specs[0];
    assert_eq!(
        spec.keys[0].key_id.as_deref(),
        Some("1234abcd-12ab-34cd-56ef-1234567890ab")
    );
    assert_eq!(spec.keys[0].aliases, ["alias/prod-data"]);
    assert_eq!(spec.buckets[0].s3_name.as_deref(), Some("acme.prod-data"));
    let roles: Vec<(Option<&str>, Option<&str>)> = spec
        .roles
        .iter()
        .map(|r| (r.role_name.as_deref(), r.path.as_deref()))
        .collect();
    assert_eq!(
        roles,
        [
            (Some("s3-crr-prod-data"), Some("/service-role/")),
            (Some("s3-crr-other"), Some("/service-role/")),
            (None, None),
        ]
    );
}

#[test]
fn a_role_name_given_twice_is_reported_once() {
    let text = "s {\n    account prod = 111122223333;\n    role r = iam(prod) { name: \"a\", name: \"b\"; };\n}\n";
    let d = parse_suite("t.scenario", text).unwrap_err();
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(
        d[0].to_string(),
        "t.scenario:3:37: `name` is set twice; keep one"
    );
}
