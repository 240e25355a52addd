//! Test support shared by the workspace's tests, as a dev-dependency: [`moto`] starts the
//! local AWS emulator the workloads' integration tests talk to. std only, no AWS SDK: each
//! test builds the clients it needs against [`moto::Moto::url`].

pub mod moto;
