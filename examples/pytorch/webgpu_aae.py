"""PyTorch modules matching webgpu-aae's networks, for files written by `webgpu-aae export --format torch`.

    import torch
    from webgpu_aae import load

    networks, config = load("model.safetensors")      # an nn.ModuleDict, and the model's config
    images = torch.rand(100, config["pixels"])          # MNIST scaled to [0, 1]
    codes = networks["encoder"](images)                 # the posterior mean, [100, latent]
    reconstructions = torch.sigmoid(networks["decoder"](codes))

Parameter names are the engine's (encoder.trunk.0.weight, decoder.2.bias, ...) and every nn.Linear weight is
[out, in], as the export writes it, so `load_state_dict(..., strict=True)` checks every name and shape.
Needs torch and safetensors (pip install torch safetensors). The same layout is read without PyTorch by
numpy_reference.py, which the project's tests run against the engine.
"""
import json

import torch
from safetensors import safe_open
from safetensors.torch import load_file
from torch import nn


class Mlp(nn.ModuleList):
    """Linear layers named 0, 1, ...: ReLU after each but the last, `output` (a function or None) after the last."""

    def __init__(self, sizes, output=None):
        super().__init__(nn.Linear(inputs, outputs) for inputs, outputs in zip(sizes[:-1], sizes[1:]))
        self.output = output

    def forward(self, x):
        for index, layer in enumerate(self):
            x = layer(x)
            if index < len(self) - 1:
                x = torch.relu(x)
        return self.output(x) if self.output is not None else x


class Encoder(nn.Module):
    """q(z|x): a ReLU trunk, a mean head and, for the Gaussian posterior, a log-variance head.

    forward gives the mean (the code the engine plots and evaluates); posterior gives both heads. The
    universal posterior's trunk takes `noise` standard normal numbers beside the pixels.
    """

    def __init__(self, inputs, hidden, latent, gaussian):
        super().__init__()
        self.trunk = Mlp([inputs, *hidden], output=torch.relu)
        self.mean = nn.Linear(hidden[-1], latent)
        self.logVariance = nn.Linear(hidden[-1], latent) if gaussian else None

    def forward(self, x):
        return self.mean(self.trunk(x))

    def posterior(self, x):
        features = self.trunk(x)
        return self.mean(features), (self.logVariance(features) if self.logVariance is not None else None)


class ClusterHeads(nn.Module):
    """The dimensionality-reduction AAE's cluster heads: the decoder sees y @ heads + z."""

    def __init__(self, clusters, dimensions):
        super().__init__()
        self.heads = nn.Parameter(torch.zeros(clusters, dimensions))

    def forward(self, categories):
        return categories @ self.heads


def build(config):
    """The networks of the model `config` describes (the config JSON in an exported file's metadata)."""
    model, hidden, latent = config["model"], config["hidden"], config["latent"]
    pixels, classes, clusters = config["pixels"], config["classes"], config["clusters"]
    last, mirrored = hidden[-1], list(reversed(hidden))
    networks = {}
    if model in ("ae", "vae", "aae", "supervised-aae", "vae-gan"):
        posterior = {"ae": "deterministic", "vae": "gaussian", "vae-gan": "gaussian"}.get(model, config["posterior"])
        inputs = pixels + (config["noise"] if posterior == "universal" else 0)
        networks["encoder"] = Encoder(inputs, hidden, latent, gaussian=posterior == "gaussian")
    if model in ("ae", "vae", "vae-gan"):
        networks["decoder"] = Mlp([latent, *mirrored, pixels])
    if model in ("aae", "supervised-aae"):
        decoder_inputs = latent + (classes if model == "supervised-aae" else 0)
        discriminator_inputs = latent + (classes + 1 if config["conditional"] else 0)
        networks["decoder"] = Mlp([decoder_inputs, *mirrored, pixels])
        networks["discriminator"] = Mlp([discriminator_inputs, *hidden, 1])
    if model == "vae-gan":
        networks["discriminatorFeatures"] = nn.Linear(pixels, hidden[0])
        networks["discriminatorHead"] = Mlp([*hidden, 1])
    if model == "gan":
        networks["generator"] = Mlp([latent, *mirrored, pixels])
        networks["discriminator"] = Mlp([pixels, *hidden, 1])
    if model in ("semi-supervised-aae", "clustering-aae", "dimensionality-reduction-aae"):
        reduces = model == "dimensionality-reduction-aae"
        if reduces:
            networks["clusterHeads"] = ClusterHeads(clusters, latent)
        networks["trunk"] = Mlp([pixels, *hidden], output=torch.relu)
        networks["categoryHead"] = nn.Linear(last, clusters)
        networks["styleHead"] = nn.Linear(last, latent)
        networks["decoder"] = Mlp([latent if reduces else clusters + latent, *mirrored, pixels])
        networks["categoryDiscriminator"] = Mlp([clusters, *hidden, 1])
        networks["styleDiscriminator"] = Mlp([latent, *hidden, 1])
    if not networks:
        raise ValueError(f"webgpu_aae.build: unknown model '{model}'")
    return nn.ModuleDict(networks)


def load(path):
    """The networks of an exported file with its weights loaded (strictly: every name and shape must fit), and its config."""
    with safe_open(path, framework="pt") as file:
        config = json.loads(file.metadata()["config"])
    networks = build(config)
    networks.load_state_dict(load_file(path), strict=True)
    return networks.eval(), config
