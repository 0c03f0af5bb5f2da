"""A float64 NumPy reading of a file written by `webgpu-aae export --format torch`: no PyTorch needed.

It reads the safetensors file itself (an 8-byte little-endian header length, a JSON header, then the raw
little-endian data) and runs the encoder and the decoder the way PyTorch's nn.Linear would (x @ W.T + b,
W stored [out, in]). The project's test (test/cli/export.test.ts) uses it to prove that an exported model
computes what the engine computes; it also serves as a second, framework-free reading of the layout.

    python3 numpy_reference.py model.safetensors                      # what the file holds
    python3 numpy_reference.py model.safetensors --images x.f32 --count 100 --codes c.f32 --reconstructions r.f32
        # compares the file's codes and reconstructions of the images with the given ones (raw float32,
        # row-major [count, pixels] / [count, latent] / [count, pixels]); prints the largest errors as JSON
"""
import argparse
import json
import struct
import sys

import numpy as np

DTYPES = {"F32": np.float32, "F64": np.float64, "U32": np.uint32, "I32": np.int32}


def read_safetensors(path):
    """The tensors (float64 copies, by name) and the metadata of a safetensors file."""
    with open(path, "rb") as file:
        data = file.read()
    (header_length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + header_length])
    metadata = header.pop("__metadata__", {})
    body = data[8 + header_length :]
    tensors = {}
    for name, entry in header.items():
        start, end = entry["data_offsets"]
        values = np.frombuffer(body[start:end], dtype=np.dtype(DTYPES[entry["dtype"]]).newbyteorder("<"))
        tensors[name] = values.reshape(entry["shape"]).astype(np.float64)
    return tensors, metadata


def relu(x):
    return np.maximum(x, 0.0)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def linear(tensors, name, x):
    """nn.Linear: x @ W.T + b, with W [out, in] as PyTorch stores it."""
    return x @ tensors[f"{name}.weight"].T + tensors[f"{name}.bias"]


def mlp(tensors, name, x, output=None):
    """webgpu_aae.Mlp: layers 0, 1, ... with ReLU between them and `output` after the last."""
    children = {key[len(name) + 1 :].split(".")[0] for key in tensors if key.startswith(f"{name}.")}
    count = len([child for child in children if child.isdigit()])
    for index in range(count):
        x = linear(tensors, f"{name}.{index}", x)
        if index < count - 1:
            x = relu(x)
    return output(x) if output else x


def encode(tensors, config, images):
    """The code of each image: the encoder's mean head on its ReLU trunk (the posterior mean)."""
    if config.get("posterior") == "universal" and config["model"] == "aae":
        sys.exit("numpy_reference: the universal posterior's code depends on its noise input; not covered here.")
    if "encoder.mean.weight" not in tensors:
        sys.exit(f"numpy_reference: a {config['model']} has no encoder with a mean head; covered: ae, vae, aae, vae-gan.")
    return linear(tensors, "encoder.mean", mlp(tensors, "encoder.trunk", images, output=relu))


def reconstruct(tensors, config, codes):
    if config["model"] == "supervised-aae":
        sys.exit("numpy_reference: the supervised AAE's decoder also takes the digit; not covered here.")
    return mlp(tensors, "decoder", codes, output=sigmoid)


def largest_errors(ours, reference):
    """The largest absolute difference, and that difference relative to the reference's largest magnitude."""
    difference = np.abs(ours - reference)
    scale = max(np.max(np.abs(reference)), np.finfo(np.float64).tiny)
    return {"absolute": float(difference.max()), "relative": float(difference.max() / scale)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model")
    parser.add_argument("--images")
    parser.add_argument("--count", type=int)
    parser.add_argument("--codes")
    parser.add_argument("--reconstructions")
    args = parser.parse_args()
    tensors, metadata = read_safetensors(args.model)
    config = json.loads(metadata["config"])
    if not args.images:
        print(json.dumps({"metadata": metadata, "tensors": {name: list(t.shape) for name, t in tensors.items()}}, indent=1))
        return
    pixels, latent = config["pixels"], config["latent"]
    load = lambda path, width: np.fromfile(path, dtype="<f4").reshape(args.count, width).astype(np.float64)
    images = load(args.images, pixels)
    codes = encode(tensors, config, images)
    reconstructions = reconstruct(tensors, config, codes)
    print(
        json.dumps(
            {
                "codes": largest_errors(load(args.codes, latent), codes),
                "reconstructions": largest_errors(load(args.reconstructions, pixels), reconstructions),
            }
        )
    )


if __name__ == "__main__":
    main()
