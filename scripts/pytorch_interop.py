"""Weights between Synapse and PyTorch/torchvision, both ways (run by scripts/pytorch-interop.sh).

usage: python pytorch_interop.py SYNAPSE_BINARY
Fashion-MNIST is read from $FMNIST_DIR (default /usr/share/datasets/fashion-mnist).
"""
import gzip, json, os, struct, subprocess, sys, tempfile, types
import numpy as np
import torch, torch.nn as nn, torch.nn.functional as F
from safetensors.torch import load_file, save_file
from PIL import Image

# torchvision's compiled operators (nms, roi_align…) need the torch build they were made for; the
# models are plain Python, so skip registering the operators' shapes.
sys.modules["torchvision._meta_registrations"] = types.ModuleType("torchvision._meta_registrations")
import torchvision  # noqa: E402

SYNAPSE = sys.argv[1]
DATA = os.environ.get("FMNIST_DIR", "/usr/share/datasets/fashion-mnist")
work = tempfile.mkdtemp(prefix="synapse-pytorch-")
torch.manual_seed(0)
torch.set_num_threads(os.cpu_count() or 1)


def idx(name):
    with gzip.open(f"{DATA}/{name}.gz", "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def synapse(*args):
    result = subprocess.run([SYNAPSE, *args], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"synapse {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


def predict_logits(checkpoint, images, *extra):
    out = synapse("predict", "--device", "cpu", "--checkpoint", checkpoint, "--json", "--logits", "--top", "1",
                  *extra, *images)
    return np.array([json.loads(line)["logits"] for line in out.splitlines()], dtype=np.float32)


class LeNet5(nn.Module):  # Synapse's lenet5, with its names
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1, self.fc2, self.fc3 = nn.Linear(400, 120), nn.Linear(120, 84), nn.Linear(84, 10)

    def forward(self, x):
        x = F.avg_pool2d(torch.tanh(self.conv1(x)), 2)
        x = F.avg_pool2d(torch.tanh(self.conv2(x)), 2).flatten(1)
        return self.fc3(torch.tanh(self.fc2(torch.tanh(self.fc1(x)))))


print(f"torch {torch.__version__}, torchvision {torchvision.__version__}, synapse {SYNAPSE}")

# (a) LeNet-5 trained in PyTorch on pixels/255, evaluated by both.
xtr = torch.tensor(idx("train-images-idx3-ubyte"), dtype=torch.float32).unsqueeze(1) / 255
ytr = torch.tensor(idx("train-labels-idx1-ubyte"), dtype=torch.long)
xte = torch.tensor(idx("t10k-images-idx3-ubyte"), dtype=torch.float32).unsqueeze(1) / 255
yte = torch.tensor(idx("t10k-labels-idx1-ubyte"), dtype=torch.long)
model = LeNet5()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
order = torch.randperm(len(xtr))
model.train()
for start in range(0, len(xtr), 128):  # 1 epoch
    batch = order[start:start + 128]
    optimizer.zero_grad()
    F.cross_entropy(model(xtr[batch]), ytr[batch]).backward()
    optimizer.step()
model.eval()
with torch.no_grad():
    torch_accuracy = (model(xte).argmax(1) == yte).float().mean().item()
lenet = f"{work}/lenet5-pytorch.safetensors"
save_file(model.state_dict(), lenet)
evaluated = json.loads(synapse("eval", "--device", "cpu", "--model", "lenet5", "--normalize", "none",
                               "--checkpoint", lenet, "--json"))
default = json.loads(synapse("eval", "--device", "cpu", "--model", "lenet5", "--checkpoint", lenet, "--json"))
print(f"(a) PyTorch LeNet-5, 1 epoch on pixels/255: PyTorch test accuracy {torch_accuracy:.4f}; "
      f"synapse eval --normalize none {evaluated['accuracy']:.4f}; "
      f"without --normalize (Fashion-MNIST statistics) {default['accuracy']:.4f}")
assert f"{torch_accuracy:.4f}" == f"{evaluated['accuracy']:.4f}", "accuracies differ"

# (b) Synapse -> export -> PyTorch (strict) -> save -> Synapse.
images = []
for i in range(16):
    path = f"{work}/test-{i}.png"
    Image.fromarray(idx("t10k-images-idx3-ubyte")[i]).save(path)
    images.append(path)
checkpoint, exported = f"{work}/synapse-run.safetensors", f"{work}/synapse-weights.safetensors"
synapse("train", "--device", "cpu", "--model", "lenet5", "--epochs", "1", "--limit-train", "6000",
        "--limit-test", "500", "--save", checkpoint)
synapse("export", "--checkpoint", checkpoint, "--output", exported)
loaded = LeNet5()
loaded.load_state_dict(load_file(exported), strict=True)
loaded.eval()
mean, std = 0.2860, 0.3530  # the checkpoint's recorded preprocessing (Fashion-MNIST's statistics)
x = (xte[:16] - mean) / std
with torch.no_grad():
    torch_logits = loaded(x).numpy()
synapse_logits = predict_logits(checkpoint, images)
print(f"(b) Synapse checkpoint -> synapse export -> PyTorch load_state_dict(strict=True): "
      f"max |logit difference| over 16 images {np.abs(torch_logits - synapse_logits).max():.2e}")
back = f"{work}/pytorch-resaved.safetensors"
save_file(loaded.state_dict(), back)
again = predict_logits(back, images, "--model", "lenet5", "--normalize", f"{mean},{std}")
print(f"    PyTorch save_file -> Synapse: logits identical to the original checkpoint's: {np.array_equal(again, synapse_logits)}")
assert np.abs(torch_logits - synapse_logits).max() < 1e-4 and np.array_equal(again, synapse_logits)

# (c) torchvision alexnet() -> alexnet-torchvision.
alexnet = torchvision.models.alexnet().eval()
weights = f"{work}/torchvision-alexnet.safetensors"
save_file(alexnet.state_dict(), weights)
rng = np.random.default_rng(0)
picture = rng.integers(0, 256, size=(224, 224, 3), dtype=np.uint8)
Image.fromarray(picture).save(f"{work}/picture.png")
with torch.no_grad():
    expected = alexnet(torch.tensor(picture, dtype=torch.float32).permute(2, 0, 1).unsqueeze(0) / 255).numpy()
got = predict_logits(weights, [f"{work}/picture.png"], "--model", "alexnet-torchvision", "--normalize", "none")
difference = np.abs(expected - got).max()
print(f"(c) torchvision alexnet() state dict -> alexnet-torchvision: 1000 logits, max |difference| {difference:.2e} "
      f"(largest logit {np.abs(expected).max():.3f}); same top class: {expected.argmax() == got.argmax()}")
assert difference < 1e-4
print("pytorch-interop: all checks passed")
